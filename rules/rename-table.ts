import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'rename-table',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'ALTER TABLE … RENAME TO breaks the running version that still uses the old name',
    messages: {
      default: {
        message:
          'Renaming table {{table}} to {{newName}} breaks every query of the running version that uses {{table}}',
        help: 'Run `pgphase plan <file>`: rename plus an updatable view under the old name, the view dropped in contract',
      },
    },
  },
  kinds: ['rename-table'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), newName: quoteIdent(change.newName) },
        });
      },
    };
  },
});
