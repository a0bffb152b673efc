import { defineRule } from '../src/lint/rule.js';
import { typedColumns, type TypeRef } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';
import { nameSpan } from '../src/sql/source.js';

export default defineRule({
  meta: {
    id: 'ban-char',
    category: 'style',
    severity: 'warning',
    description: 'char(n) pads values with spaces and compares them in surprising ways',
    messages: {
      default: 'Column {{column}} is {{type}}: values are blank-padded to the length, and trailing spaces are ignored in comparisons but not everywhere else',
    },
    help: 'Use text (with a CHECK on the length if needed)',
  },
  create(context) {
    const check = (column: string, type: TypeRef, at?: number) => {
      if (type.name === 'bpchar') context.report({ messageId: 'default', location: at === undefined ? undefined : nameSpan(context.source, at), data: { column: quoteIdent(column), type: type.display } });
    };
    return {
      change(change) {
        for (const { column, type, at } of typedColumns(change)) check(column, type, at);
      },
    };
  },
});
