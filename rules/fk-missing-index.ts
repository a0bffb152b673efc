import { defineRule } from '../src/lint/rule.js';
import type { ConstraintSpec } from '../src/sql/changes.js';
import type { PgNode, Statement } from '../src/sql/source.js';
import { quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

/**
 * Is the predicate `col IS NOT NULL`, or an AND of such, over key columns only? The lookup
 * (`col = $1`, strict) never matches a row with a NULL key, so such a partial index serves it.
 */
function onlyNonNull(node: PgNode | undefined, columns: readonly string[]): boolean {
  if (!node) return false;
  const bool = node.BoolExpr;
  if (bool) return bool.boolop === 'AND_EXPR' && (bool.args ?? []).every((arg: PgNode) => onlyNonNull(arg, columns));
  const test = node.NullTest;
  const fields = test?.arg?.ColumnRef?.fields ?? [];
  const column = fields[fields.length - 1]?.String?.sval;
  return test?.nulltesttype === 'IS_NOT_NULL' && column !== undefined && columns.includes(column);
}

export default defineRule({
  meta: {
    id: 'fk-missing-index',
    category: 'style',
    severity: 'warning',
    description:
      'A foreign key whose referencing columns have no index: deletes and updates of the referenced rows scan the table',
    messages: {
      default: {
        message:
          'No index on {{table}}({{columns}}) for its foreign key to {{references}}: every DELETE or key UPDATE on {{references}} scans {{table}}, under a lock',
        help: 'Add `CREATE INDEX CONCURRENTLY … ON {{table}} ({{columns}})` in the same release',
      },
    },
  },
  kinds: ['create-table', 'add-column', 'add-constraint'],
  create(context) {
    let fks: Array<{ table: QName; fk: ConstraintSpec; statement: Statement }>;
    const add = (table: QName, constraints: ConstraintSpec[]) => {
      for (const fk of constraints)
        if (fk.kind === 'foreign-key') fks.push({ table, fk, statement: context.statement });
    };
    return {
      file() {
        fks = [];
      },
      change(change) {
        if (change.kind === 'create-table')
          add(change.table, [...change.constraints, ...change.columns.flatMap((c) => c.constraints)]);
        else if (change.kind === 'add-column') add(change.table, change.column.constraints);
        else add(change.table, [change.constraint]);
      },
      // judged at the end of the file: the index usually follows the key
      end() {
        for (const { table, fk, statement } of fks) {
          if (!context.schema.table(table)) continue;
          // the lookup pins every key column with `=`: an index leading with them, in any order, serves it
          const covered = context.schema.tableIndexes(table).some((i) => {
            const leading = i.columns.slice(0, fk.columns.length);
            return (
              (!i.partial || onlyNonNull(i.definition?.where?.node, fk.columns)) &&
              fk.columns.every((c) => leading.includes(c))
            );
          });
          if (covered) continue;
          context.report({
            messageId: 'default',
            location: statement.location,
            statement: statement.index,
            data: {
              table: quoteQName(table),
              columns: fk.columns.map(quoteIdent).join(', '),
              references: quoteQName(fk.references!.table),
            },
          });
        }
      },
    };
  },
});
