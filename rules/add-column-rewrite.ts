import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';
import { addColumnRewrite } from '../src/sql/volatility.js';

export default defineRule({
  meta: {
    id: 'add-column-rewrite',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'rewrite',
    plannable: true,
    description:
      'ADD COLUMN with a volatile default, GENERATED … STORED, serial/identity, or any default before PostgreSQL 11 rewrites the table',
    messages: {
      default: {
        message: 'Adding {{column}} to {{table}} rewrites the whole table under an ACCESS EXCLUSIVE lock: {{reason}}',
        help: 'Add the column without the default, `SET DEFAULT` separately (new rows only), and backfill existing rows in batches: `pgphase plan <file>`',
      },
    },
  },
  kinds: ['add-column'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        const reason = addColumnRewrite(change.column, context.pgVersion);
        if (reason)
          context.report({
            messageId: 'default',
            data: { table: quoteQName(change.table), column: quoteIdent(change.column.name), reason },
          });
      },
    };
  },
});
