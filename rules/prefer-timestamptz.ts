import { defineRule } from '../src/lint/rule.js';
import { typedColumns, type TypeRef } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';
import { nameSpan } from '../src/sql/source.js';

export default defineRule({
  meta: {
    id: 'prefer-timestamptz',
    category: 'style',
    severity: 'warning',
    description: 'timestamp without time zone: values lose their zone, and moving to timestamptz later rewrites the table',
    messages: {
      default: 'Column {{column}} is timestamp without time zone: the instant it means depends on the writer\'s zone, and converting it later rewrites the table',
    },
    help: 'Use timestamptz',
  },
  create(context) {
    const check = (column: string, type: TypeRef, at?: number) => {
      if (type.name === 'timestamp' && !type.schema) context.report({ messageId: 'default', location: at === undefined ? undefined : nameSpan(context.source, at), data: { column: quoteIdent(column) } });
    };
    return {
      change(change) {
        for (const { column, type, at } of typedColumns(change)) check(column, type, at);
      },
    };
  },
});
