import { defineRule } from '../src/lint/rule.js';
import type { Change } from '../src/sql/changes.js';

/** What a change does that PostgreSQL refuses inside a transaction block, if anything. */
function nonTransactional(change: Change, pgVersion: number): string | undefined {
  switch (change.kind) {
    case 'create-index':
      return change.concurrently ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'drop-index':
      return change.concurrently ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'reindex':
      return change.concurrently ? 'REINDEX CONCURRENTLY' : undefined;
    case 'detach-partition':
      return change.concurrently ? 'DETACH PARTITION CONCURRENTLY' : undefined;
    case 'enum-add-value':
      return pgVersion < 12 ? 'ALTER TYPE … ADD VALUE' : undefined;
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'concurrently-in-transaction',
    category: 'robustness',
    severity: 'error',
    description: 'CONCURRENTLY statements (and ALTER TYPE … ADD VALUE before PostgreSQL 12) inside a transaction fail at run time',
    messages: {
      default: '{{what}} cannot run inside a transaction block: this migration fails when it runs',
    },
    help: 'Put the statement alone in a migration the tool runs without a transaction (mark it `-- pgphase: no-transaction` and configure the tool likewise)',
  },
  create(context) {
    return {
      change(change) {
        const what = nonTransactional(change, context.pgVersion);
        if (what && context.inTransaction) context.report({ messageId: 'default', data: { what } });
      },
    };
  },
});
