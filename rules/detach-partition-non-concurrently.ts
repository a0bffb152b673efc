import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'detach-partition-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent table',
    pgVersion: { min: 14 },
    messages: {
      default: {
        message:
          'Detaching {{partition}} from {{table}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {{table}}: every query on it waits',
        help: 'Use `ALTER TABLE … DETACH PARTITION … CONCURRENTLY` outside a transaction',
      },
    },
  },
  kinds: ['detach-partition'],
  create(context) {
    return {
      change(change) {
        if (change.concurrently || context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), partition: quoteQName(change.partition) },
        });
      },
    };
  },
});
