import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-table',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'DROP TABLE breaks the running version that still reads or writes the table',
    messages: {
      default: 'Dropping table {{table}} breaks every query of the running version that uses it, and deletes its rows',
    },
    help: 'Drop the table in a contract phase, after no deployed version reads it (`pgphase plan <file>`)',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'drop-table' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table) } });
      },
    };
  },
});
