import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'rename-column',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'RENAME COLUMN breaks the running version that still uses the old name',
    messages: {
      default: {
        message:
          'Renaming column {{table}}.{{column}} to {{newName}} breaks every query of the running version that uses {{column}}',
        help: 'Run `pgphase plan <file>`: a new column kept in sync by a trigger and backfilled, the old one dropped in contract',
      },
    },
  },
  kinds: ['rename-column'],
  create(context) {
    return {
      change(change) {
        // the running version never used a column this migration added (`status_new` renamed to `status`)
        if (context.isNewTable(change.table) || context.isNewColumn(change.table, change.column)) return;
        context.report({
          messageId: 'default',
          data: {
            table: quoteQName(change.table),
            column: quoteIdent(change.column),
            newName: quoteIdent(change.newName),
          },
        });
      },
    };
  },
});
