import { defineRule } from '../src/lint/rule.js';
import { locksOf, TRAFFIC_BLOCKING, type LockTaken } from '../src/sql/locks.js';
import { qkey, type QName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'mixed-ddl-and-dml',
    category: 'robustness',
    severity: 'warning',
    description:
      'DDL taking a strong lock and DML in the same transaction: the lock is held while the data changes run',
    messages: {
      default: {
        message:
          'This transaction mixes schema changes that lock a table in {{mode}} mode with data changes: the lock stays held while every row is written',
        help: 'Run the schema change and the data change in separate transactions (the data change as a batched backfill)',
      },
    },
  },
  create(context) {
    // a table or materialized view created earlier in this migration: no traffic waits for its locks
    const isNew = (table: QName) =>
      context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table)));
    let seen: Map<number, { ddl?: string; dml?: boolean; reported?: boolean }>;
    return {
      file() {
        seen = new Map();
      },
      change(change) {
        if (!context.inTransaction) return;
        const id = context.transactionId;
        let tx = seen.get(id);
        if (!tx) seen.set(id, (tx = {}));
        if (change.kind === 'data-change') {
          if (context.isNewTable(change.table)) return;
          tx.dml = true;
        } else {
          // a transaction with a strong lock already: another changes nothing (the first DML after it reports)
          if (tx.ddl) return;
          // indexed loop, no closure for a find(): this runs for every change in a transaction, in code V8 does not optimize
          const locks = locksOf(change, undefined, context.pgVersion);
          let strong: LockTaken | undefined;
          for (let i = 0; i < locks.length && !strong; i++)
            if (TRAFFIC_BLOCKING.has(locks[i]!.mode) && !isNew(locks[i]!.table)) strong = locks[i];
          if (!strong) return;
          tx.ddl ??= strong.mode;
        }
        if (tx.ddl && tx.dml && !tx.reported) {
          tx.reported = true;
          context.report({ messageId: 'default', data: { mode: tx.ddl } });
        }
      },
    };
  },
});
