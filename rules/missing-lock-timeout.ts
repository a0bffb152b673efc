import { defineRule } from '../src/lint/rule.js';
import { locksOf, QUEUE_DANGEROUS } from '../src/sql/locks.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'missing-lock-timeout',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'A statement taking ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE on an existing table with no lock_timeout set before it',
    messages: {
      default: 'This statement queues for the {{mode}} lock on {{table}} with no lock_timeout: while it queues behind a long transaction, every query on {{table}} queues behind it',
    },
    help: "Put `SET lock_timeout = '2s';` before it (and retry on timeout), or run it with `pgphase run`, which does both",
  },
  create(context) {
    let reported = -1;
    return {
      change(change) {
        if (context.lockTimeoutSet || reported === context.statement.index) return;
        const lock = locksOf(change, (index) => context.schema.indexTable(index)).find((l) => QUEUE_DANGEROUS.has(l.mode) && !context.isNewTable(l.table));
        if (!lock) return;
        reported = context.statement.index;
        context.report({ messageId: 'default', data: { mode: lock.mode, table: quoteQName(lock.table) } });
      },
    };
  },
});
