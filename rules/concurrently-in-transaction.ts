import { defineRule } from '../src/lint/rule.js';
import { NON_TRANSACTIONAL_KINDS, nonTransactional } from '../src/sql/changes.js';

export default defineRule({
  meta: {
    id: 'concurrently-in-transaction',
    category: 'robustness',
    severity: 'error',
    description:
      'CONCURRENTLY statements (and ALTER TYPE … ADD VALUE before PostgreSQL 12) inside a transaction fail at run time',
    messages: {
      default: {
        message: '{{what}} cannot run inside a transaction block: this migration fails when it runs',
        help: 'Put the statement alone in a migration the tool runs without a transaction (mark it `-- pgphase: no-transaction` and configure the tool likewise)',
      },
    },
  },
  kinds: NON_TRANSACTIONAL_KINDS,
  create(context) {
    return {
      change(change) {
        const what = nonTransactional(change, context.pgVersion);
        if (what && context.inTransaction) context.report({ messageId: 'default', data: { what } });
      },
    };
  },
});
