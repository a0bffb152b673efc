import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-column',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'DROP COLUMN on an existing table breaks the running version that still uses the column',
    messages: {
      default: 'Dropping column {{table}}.{{column}} breaks every query of the running version that reads or writes {{column}}',
    },
    help: 'Run `pgphase plan <file>`: expand lets new code omit the column, contract drops it once no running version uses it',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'drop-column' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), column: quoteIdent(change.column) } });
      },
    };
  },
});
