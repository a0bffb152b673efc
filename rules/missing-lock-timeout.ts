import { defineRule } from '../src/lint/rule.js';
import { QUEUE_DANGEROUS, type LockMode } from '../src/sql/locks.js';
import { qkey, quoteQName, type QName } from '../src/sql/names.js';

/** A lock the current statement queues for; `key`: the table's qkey. */
interface Queued {
  table: QName;
  mode: LockMode;
  key: string;
}

export default defineRule({
  meta: {
    id: 'missing-lock-timeout',
    category: 'blocks-traffic',
    severity: 'error',
    description:
      'A statement taking ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE on an existing table with no lock_timeout set before it',
    messages: {
      default: {
        message:
          'This statement queues for {{locks}} with no lock_timeout: while it queues behind a long transaction, {{blocked}} behind it',
        help: "Put `SET lock_timeout = '2s';` before it (and retry on timeout), or run it with `pgphase run`, which does both",
      },
    },
  },
  create(context) {
    // a table or materialized view created earlier in this migration: no traffic waits for its locks
    const isNew = (table: QName) =>
      context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table)));
    // the locks the current statement queues for, reported once after its last change
    let queued: Queued[];
    // Locks the current transaction already holds: asking again for the same lock, or for
    // anything under an ACCESS EXCLUSIVE, does not queue.
    let held: Map<string, LockMode>;
    return {
      file() {
        held = new Map();
        queued = [];
      },
      // (a Map's clear and a new array allocate: skipped when there is nothing to drop)
      statement() {
        if (held.size > 0 && !context.inTransaction) held.clear();
        if (queued.length > 0) queued = [];
      },
      change(change) {
        if (change.kind === 'transaction') return held.clear();
        // Each lock that matters here, in order: what it finds held is what the change's earlier locks left
        // (in a transaction), which queues the same locks as judging them all against what was held before it.
        // (indexed loops, no closure for a find(): this runs for every change, in code V8 does not optimize)
        const locks = context.locks(change);
        for (let i = 0; i < locks.length; i++) {
          const l = locks[i]!;
          if (!QUEUE_DANGEROUS.has(l.mode) || isNew(l.table)) continue;
          const key = qkey(l.table);
          const has = held.get(key);
          if (has !== 'ACCESS EXCLUSIVE' && context.inTransaction) held.set(key, l.mode);
          let stronger: Queued | undefined;
          for (let q = 0; q < queued.length && !stronger; q++) if (queued[q]!.key === key) stronger = queued[q];
          if (has === 'ACCESS EXCLUSIVE' || has === l.mode || stronger?.mode === 'ACCESS EXCLUSIVE') continue;
          if (stronger) stronger.mode = l.mode;
          else queued.push({ table: l.table, mode: l.mode, key });
        }
        // a renamed table keeps its locks: a later statement on the new name does not queue for them again
        if (change.kind === 'rename-table') {
          const key = qkey(change.table);
          const mode = held.get(key);
          if (mode) {
            held.set(qkey({ ...change.table, name: change.newName }), mode);
            held.delete(key);
          }
        }
        if (queued.length === 0) return;
        const changes = context.changes;
        if (change !== changes[changes.length - 1] || context.lockTimeoutSet) return;
        // one loop, each table quoted once, no map() callbacks: most statements on an existing table report here
        const waits: string[] = [];
        const blocked: string[] = [];
        for (let i = 0; i < queued.length; i++) {
          const { table, mode } = queued[i]!;
          const quoted = quoteQName(table);
          waits.push(`the ${mode} lock on ${quoted}`);
          // a queued SHARE ROW EXCLUSIVE request holds up writes only: reads (ACCESS SHARE) do not conflict with it
          blocked.push(mode === 'ACCESS EXCLUSIVE' ? `every query on ${quoted}` : `every write to ${quoted}`);
        }
        context.report({
          messageId: 'default',
          data: {
            locks: waits.join(' and '),
            blocked: `${blocked.join(' and ')} ${blocked.length > 1 ? 'queue' : 'queues'}`,
          },
        });
      },
    };
  },
});
