import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-default',
    category: 'breaks-old-code',
    severity: 'warning',
    plannable: true,
    description: "ALTER COLUMN … DROP DEFAULT while the running version's INSERTs rely on it",
    messages: {
      default: {
        message:
          'Dropping the default of {{table}}.{{column}} breaks INSERTs of the running version that omit {{column}}',
        help: 'Drop the default in a contract phase, once no running version omits the column: `pgphase plan <file>` puts it there',
      },
    },
  },
  kinds: ['drop-default'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), column: quoteIdent(change.column) },
        });
      },
    };
  },
});
