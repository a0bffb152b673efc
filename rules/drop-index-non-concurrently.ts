import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-index-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index\'s table',
    messages: {
      default: 'Dropping index {{index}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table{{on}}: every read and write waits until it is done',
    },
    help: 'Use `DROP INDEX CONCURRENTLY` in a migration that runs outside a transaction',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'drop-index' || change.concurrently) return;
        const table = context.schema.indexTable(change.index);
        if (table && context.isNewTable(table)) return;
        context.report({ messageId: 'default', data: { index: quoteQName(change.index), on: table ? ` ${quoteQName(table)}` : '' } });
      },
    };
  },
});
