import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-not-null',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'DROP NOT NULL: readers of the running version do not expect NULL',
    messages: {
      default: {
        message:
          'Dropping NOT NULL on {{table}}.{{column}} lets new code write NULL, which readers of the running version do not expect',
        help: 'Make sure every deployed version tolerates NULL in the column first',
      },
    },
  },
  kinds: ['drop-not-null'],
  create(context) {
    return {
      change(change) {
        // the running version never reads a column this migration added
        if (context.isNewTable(change.table) || context.isNewColumn(change.table, change.column)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), column: quoteIdent(change.column) },
        });
      },
    };
  },
});
