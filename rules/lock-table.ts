import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'lock-table',
    category: 'blocks-traffic',
    severity: 'warning',
    description: 'An explicit LOCK TABLE in a migration',
    messages: {
      default: 'LOCK TABLE {{table}} IN {{mode}} MODE holds the lock until the transaction ends, blocking conflicting queries the whole time',
    },
    help: 'Avoid the explicit lock; if it is needed, set a short lock_timeout before it and keep the transaction short',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'lock-table' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), mode: change.mode } });
      },
    };
  },
});
