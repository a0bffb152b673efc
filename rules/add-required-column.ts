import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';
import { needsEmptyTable } from '../src/sql/volatility.js';

export default defineRule({
  meta: {
    id: 'add-required-column',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description:
      "ADD COLUMN … NOT NULL without a DEFAULT: the running version's INSERTs omit it, and it fails on a non-empty table",
    messages: {
      default: {
        message:
          'Adding NOT NULL column {{column}} without a default to {{table}} makes every INSERT of the running version fail (and fails outright if the table has rows)',
        help: 'Add the column nullable (or with a constant default) and set NOT NULL in a contract phase: `pgphase plan <file>`',
      },
    },
  },
  kinds: ['add-column'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        const c = change.column;
        if (!needsEmptyTable(c)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), column: quoteIdent(c.name) } });
      },
    };
  },
});
