import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'lock-table',
    category: 'blocks-traffic',
    severity: 'warning',
    description: 'An explicit LOCK TABLE in a migration',
    messages: {
      default: {
        message:
          'LOCK TABLE {{table}} IN {{mode}} MODE holds the lock until the transaction ends, blocking conflicting queries the whole time',
        help: 'Avoid the explicit lock; if it is needed, take it inside a short transaction (BEGIN … COMMIT) after a short lock_timeout',
      },
      outside: {
        message:
          'LOCK TABLE {{table}} runs outside a transaction and fails at run time: "LOCK TABLE can only be used in transaction blocks" (SQLSTATE 25P01)',
        help: 'Take the lock inside the transaction (BEGIN … COMMIT) of the statements it protects, after a short lock_timeout, or remove it',
      },
    },
  },
  kinds: ['lock-table'],
  create(context) {
    return {
      change(change) {
        // fails whatever the table: the migration stops here
        if (!context.inTransaction)
          return context.report({ messageId: 'outside', data: { table: quoteQName(change.table) } });
        if (context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), mode: change.mode } });
      },
    };
  },
});
