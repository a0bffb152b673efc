import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'refresh-matview-non-concurrently',
    category: 'blocks-traffic',
    severity: 'warning',
    work: 'rewrite',
    description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view while it runs',
    messages: {
      default: {
        message:
          'Refreshing {{view}} without CONCURRENTLY holds an ACCESS EXCLUSIVE lock: every read of the view waits for the whole query',
        help: 'Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (the view needs a unique index)',
      },
    },
  },
  kinds: ['refresh-matview'],
  create(context) {
    return {
      change(change) {
        if (change.concurrently || context.isNewObject(change.view)) return;
        context.report({ messageId: 'default', data: { view: quoteQName(change.view) } });
      },
    };
  },
});
