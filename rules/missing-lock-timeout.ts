import { defineRule } from '../src/lint/rule.js';
import { locksOf, QUEUE_DANGEROUS, type LockMode } from '../src/sql/locks.js';
import { qkey, quoteQName, type QName } from '../src/sql/names.js';

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
    // a table or materialized view created earlier in this migration: no traffic waits for its locks
    const isNew = (table: QName) => context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table)));
    let reported = -1;
    // Locks the current transaction already holds: asking again for the same lock, or for
    // anything under an ACCESS EXCLUSIVE, does not queue.
    const held = new Map<string, LockMode>();
    return {
      statement() {
        if (!context.inTransaction) held.clear();
      },
      change(change) {
        if (change.kind === 'transaction') return held.clear();
        const locks = locksOf(change, (index) => context.schema.indexTable(index)).filter((l) => !isNew(l.table));
        const queued = locks.find((l) => {
          const has = held.get(qkey(l.table));
          return QUEUE_DANGEROUS.has(l.mode) && has !== 'ACCESS EXCLUSIVE' && has !== l.mode;
        });
        if (context.inTransaction) for (const l of locks) if (QUEUE_DANGEROUS.has(l.mode) && held.get(qkey(l.table)) !== 'ACCESS EXCLUSIVE') held.set(qkey(l.table), l.mode);
        if (!queued || context.lockTimeoutSet || reported === context.statement.index) return;
        reported = context.statement.index;
        context.report({ messageId: 'default', data: { mode: queued.mode, table: quoteQName(queued.table) } });
      },
    };
  },
});
