import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'truncate',
    category: 'data-loss',
    severity: 'error',
    description: 'TRUNCATE deletes every row (with CASCADE, of every referencing table too) under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'TRUNCATE {{table}}{{cascade}} deletes every row at once, under an ACCESS EXCLUSIVE lock, and cannot be undone after commit',
        help: 'Delete in batches with an explicit WHERE, naming every table; keep a backup of what is deleted',
      },
    },
  },
  kinds: ['truncate'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: {
            table: quoteQName(change.table),
            cascade: change.cascade ? ' CASCADE (and every table that references it)' : '',
          },
        });
      },
    };
  },
});
