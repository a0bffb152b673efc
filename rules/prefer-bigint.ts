import { columnAt, defineRule } from '../src/lint/rule.js';
import type { ColumnSpec } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';

const SMALL = new Set(['int2', 'int4', 'serial', 'smallserial']);

/** The table key columns of an added column: none, it is a key by its name or its own constraints. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** An id or key column: named id / *_id, or part of a primary key. */
function isKey(column: ColumnSpec, keyColumns: ReadonlySet<string>): boolean {
  return (
    column.name === 'id' ||
    /_id$/i.test(column.name) ||
    keyColumns.has(column.name) ||
    column.constraints.some((c) => c.kind === 'primary-key')
  );
}

export default defineRule({
  meta: {
    id: 'prefer-bigint',
    category: 'style',
    severity: 'warning',
    description:
      'int, smallint or serial for an id or key column: it runs out at 2^31, and widening it later rewrites the table',
    messages: {
      default: {
        message:
          'Key column {{column}} is {{type}}: it runs out at {{limit}} values, and changing it to bigint later rewrites the table under ACCESS EXCLUSIVE',
        help: 'Use bigint (or bigint GENERATED … AS IDENTITY) for ids and the columns that reference them',
      },
    },
  },
  kinds: ['create-table', 'add-column'],
  create(context) {
    const check = (column: ColumnSpec, keyColumns: ReadonlySet<string>) => {
      if (!SMALL.has(column.type.name) || column.type.array || !isKey(column, keyColumns)) return;
      const limit = column.type.name === 'int2' || column.type.name === 'smallserial' ? '32,767' : '2,147,483,647';
      context.report({
        messageId: 'default',
        location: columnAt(context, column.at),
        data: { column: quoteIdent(column.name), type: column.type.display, limit },
      });
    };
    return {
      change(change) {
        if (change.kind === 'create-table') {
          // indexed loops, not filter(), flatMap() and an iterator: this runs for every new table, in code
          // V8 does not optimize (bin/pgphase.cjs)
          const keys = new Set<string>();
          for (let i = 0; i < change.constraints.length; i++) {
            const c = change.constraints[i]!;
            if (c.kind === 'primary-key') for (let j = 0; j < c.columns.length; j++) keys.add(c.columns[j]!);
          }
          for (let i = 0; i < change.columns.length; i++) check(change.columns[i]!, keys);
        } else check(change.column, NO_KEYS);
      },
    };
  },
});
