import { defineRule } from '../src/lint/rule.js';
import type { ConstraintSpec } from '../src/sql/changes.js';
import type { IndexModel } from '../src/schema/model.js';
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

/**
 * Does the index serve the lookup of a foreign key's referencing rows? The lookup pins every key
 * column with `=`: an index leading with them, in any order, serves it.
 */
function serves(index: IndexModel, columns: readonly string[]): boolean {
  if (index.partial && !onlyNonNull(index.definition?.where?.node, columns)) return false;
  // indexed loop, no slice of the leading columns: this runs for every index of every referencing table
  for (let i = 0; i < columns.length; i++) {
    const at = index.columns.indexOf(columns[i]!);
    if (at < 0 || at >= columns.length) return false;
  }
  return true;
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
    // indexed loops, not one array spread from the table's and its columns' constraints: these run for
    // every new table, column and constraint, in code V8 does not optimize (bin/pgphase.cjs)
    const add = (table: QName, constraints: readonly ConstraintSpec[]) => {
      for (let i = 0; i < constraints.length; i++) {
        const fk = constraints[i]!;
        if (fk.kind === 'foreign-key') fks.push({ table, fk, statement: context.statement });
      }
    };
    return {
      file() {
        fks = [];
      },
      change(change) {
        if (change.kind === 'create-table') {
          add(change.table, change.constraints);
          for (let i = 0; i < change.columns.length; i++) add(change.table, change.columns[i]!.constraints);
        } else if (change.kind === 'add-column') add(change.table, change.column.constraints);
        else add(change.table, [change.constraint]);
      },
      // judged at the end of the file: the index usually follows the key
      end() {
        const schema = context.schema;
        for (let f = 0; f < fks.length; f++) {
          const { table, fk, statement } = fks[f]!;
          if (!schema.table(table)) continue;
          if (schema.tableIndexes(table).some((i) => serves(i, fk.columns))) continue;
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
