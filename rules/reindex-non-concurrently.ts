import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'reindex-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds',
    pgVersion: { min: 12 },
    messages: {
      default: 'REINDEX of {{target}} without CONCURRENTLY blocks every write to the table, and every read that would use the index, until the rebuild ends',
    },
    help: 'Use `REINDEX … CONCURRENTLY` (PostgreSQL 12 and later) outside a transaction',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'reindex' || change.concurrently) return;
        if (change.target && context.isNewTable(change.target)) return;
        context.report({ messageId: 'default', data: { target: change.target ? quoteQName(change.target) : 'the database' } });
      },
    };
  },
});
