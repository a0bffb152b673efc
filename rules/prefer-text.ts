import { defineRule } from '../src/lint/rule.js';
import { typedColumns, type TypeRef } from '../src/sql/changes.js';
import { quoteIdent } from '../src/sql/names.js';
import { nameSpan } from '../src/sql/source.js';

export default defineRule({
  meta: {
    id: 'prefer-text',
    category: 'style',
    severity: 'off',
    description: 'varchar(n): the length limit is easy to outgrow and shrinking it later is unsafe; a CHECK is easier to change',
    messages: {
      default: 'Column {{column}} is {{type}}: raising the limit is cheap, but lowering it rewrites the table and can fail on existing rows',
    },
    help: 'Use text, with a `CHECK (length(col) <= n)` added NOT VALID if a limit is needed',
  },
  create(context) {
    const check = (column: string, type: TypeRef, at?: number) => {
      if (type.name === 'varchar' && type.mods.length > 0) context.report({ messageId: 'default', location: at === undefined ? undefined : nameSpan(context.source, at), data: { column: quoteIdent(column), type: type.display } });
    };
    return {
      change(change) {
        for (const { column, type, at } of typedColumns(change)) check(column, type, at);
      },
    };
  },
});
