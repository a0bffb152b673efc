import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'set-not-null',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'ALTER COLUMN … SET NOT NULL while the running version may still write NULL',
    messages: {
      default: 'Setting {{table}}.{{column}} NOT NULL makes every write of the running version that leaves {{column}} NULL fail',
    },
    help: 'Run `pgphase plan <file>`: backfill first, then NOT NULL via a validated check in the contract phase',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'set-not-null' || context.isNewTable(change.table)) return;
        // NOT NULL already: PostgreSQL does nothing, and no write that worked before fails now
        if (context.schema.column(change.table, change.column)?.notNull) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), column: quoteIdent(change.column) } });
      },
    };
  },
});
