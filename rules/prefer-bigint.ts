import { columnAt, defineRule } from '../src/lint/rule.js';
import type { ColumnSpec } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';

const SMALL = new Set(['int2', 'int4', 'serial', 'smallserial']);

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
          const keys = new Set(change.constraints.filter((c) => c.kind === 'primary-key').flatMap((c) => c.columns));
          for (const column of change.columns) check(column, keys);
        } else check(change.column, new Set());
      },
    };
  },
});
