import { defineRule } from '../src/lint/rule.js';
import type { LockTaken } from '../src/sql/locks.js';
import { qkey, quoteQName, type QName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'statements-after-exclusive-lock',
    category: 'blocks-traffic',
    severity: 'warning',
    description:
      'More statements after an ACCESS EXCLUSIVE lock in the same transaction: the lock is held until commit',
    messages: {
      default: {
        message:
          'This statement runs while the transaction still holds the ACCESS EXCLUSIVE lock on {{table}} taken at line {{line}}: every query on {{table}} waits for it too',
        help: 'Put the statement that takes the ACCESS EXCLUSIVE lock last in its transaction, or alone',
      },
    },
  },
  create(context) {
    // a table or materialized view created earlier in this migration: no traffic waits for its locks
    const isNew = (table: QName) =>
      context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table)));
    let held: { transaction: number; statement: number; table: QName; line: number } | undefined;
    let reported: number;
    return {
      file() {
        held = undefined;
        reported = -1;
      },
      change(change) {
        if (held && held.transaction !== context.transactionId) held = undefined;
        const harmless =
          change.kind === 'transaction' ||
          change.kind === 'set' ||
          change.kind === 'comment' ||
          change.kind === 'column-comment';
        if (held && !harmless && context.statement.index !== held.statement && reported !== held.transaction) {
          reported = held.transaction;
          context.report({ messageId: 'default', data: { table: quoteQName(held.table), line: held.line } });
        }
        if (held || !context.inTransaction) return;
        // indexed loop, no closure for a find(): this runs for every change in a transaction, in code V8 does not optimize
        const locks = context.locks(change);
        let lock: LockTaken | undefined;
        for (let i = 0; i < locks.length && !lock; i++)
          if (locks[i]!.mode === 'ACCESS EXCLUSIVE' && !isNew(locks[i]!.table)) lock = locks[i];
        if (lock)
          held = {
            transaction: context.transactionId,
            statement: context.statement.index,
            table: lock.table,
            line: context.statement.location.line,
          };
      },
    };
  },
});
