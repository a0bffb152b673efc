import { defineRule } from '../src/lint/rule.js';
import { typedColumns, type TypeRef } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';
import { nameSpan } from '../src/sql/source.js';

export default defineRule({
  meta: {
    id: 'prefer-jsonb',
    category: 'style',
    severity: 'warning',
    description: 'json instead of jsonb: no equality operator, no indexing, reparsed on every access',
    messages: {
      default: 'Column {{column}} is json: it has no equality operator (DISTINCT, GROUP BY and UNION fail), cannot be indexed, and is reparsed on every access',
    },
    help: 'Use jsonb',
  },
  create(context) {
    const check = (column: string, type: TypeRef, at?: number) => {
      if (type.name === 'json' && !type.schema) context.report({ messageId: 'default', location: at === undefined ? undefined : nameSpan(context.source, at), data: { column: quoteIdent(column) } });
    };
    return {
      change(change) {
        for (const { column, type, at } of typedColumns(change)) check(column, type, at);
      },
    };
  },
});
