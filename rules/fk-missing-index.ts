import { defineRule } from '../src/lint/rule.js';
import type { ConstraintSpec } from '../src/sql/changes.js';
import type { Statement } from '../src/sql/source.js';
import { quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'fk-missing-index',
    category: 'style',
    severity: 'warning',
    description: 'A foreign key whose referencing columns have no index: deletes and updates of the referenced rows scan the table',
    messages: {
      default: 'No index on {{table}}({{columns}}) for its foreign key to {{references}}: every DELETE or key UPDATE on {{references}} scans {{table}}, under a lock',
    },
    help: 'Add `CREATE INDEX CONCURRENTLY … ON {{table}} ({{columns}})` in the same release',
  },
  create(context) {
    const fks: Array<{ table: QName; fk: ConstraintSpec; statement: Statement }> = [];
    const add = (table: QName, constraints: ConstraintSpec[]) => {
      for (const fk of constraints) if (fk.kind === 'foreign-key') fks.push({ table, fk, statement: context.statement });
    };
    return {
      change(change) {
        if (change.kind === 'create-table') add(change.table, [...change.constraints, ...change.columns.flatMap((c) => c.constraints)]);
        if (change.kind === 'add-column') add(change.table, change.column.constraints);
        if (change.kind === 'add-constraint') add(change.table, [change.constraint]);
      },
      // judged at the end of the file: the index usually follows the key
      end() {
        for (const { table, fk, statement } of fks) {
          if (!context.schema.table(table)) continue;
          // the lookup pins every key column with `=`: an index leading with them, in any order, serves it
          const covered = context.schema.tableIndexes(table).some((i) => {
            const leading = i.columns.slice(0, fk.columns.length);
            return !i.partial && fk.columns.every((c) => leading.includes(c));
          });
          if (covered) continue;
          context.report({
            messageId: 'default',
            location: statement.location,
            statement: statement.index,
            data: { table: quoteQName(table), columns: fk.columns.map(quoteIdent).join(', '), references: quoteQName(fk.references!.table) },
          });
        }
      },
    };
  },
});
