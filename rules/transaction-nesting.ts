import { defineRule } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'transaction-nesting',
    category: 'robustness',
    severity: 'error',
    description:
      'BEGIN inside an open transaction, BEGIN without COMMIT, or transaction control in a file the tool wraps',
    messages: {
      nested: {
        message:
          'BEGIN inside a transaction that is already open: PostgreSQL only warns, and the first COMMIT ends both',
        help: 'End the open transaction with COMMIT before this BEGIN, or remove this BEGIN: PostgreSQL does not nest transactions',
      },
      unclosed: {
        message: 'BEGIN without a matching COMMIT: the migration leaves its transaction open',
        help: 'End the transaction with COMMIT after its last statement',
      },
      wrapped: {
        message:
          "{{statement}} in a file the migration tool already runs in a transaction: it ends the tool's transaction early, and the statements after it run outside it",
        help: 'Remove the explicit transaction control, or mark the file `-- pgphase: no-transaction` if the tool runs it without one',
      },
      wrappedBegin: {
        message:
          "BEGIN in a file the migration tool already runs in a transaction: inside the tool's transaction PostgreSQL only warns, and after a COMMIT in the file it starts a transaction that the tool's COMMIT ends",
        help: 'Remove the explicit transaction control, or mark the file `-- pgphase: no-transaction` if the tool runs it without one',
      },
    },
  },
  kinds: ['transaction'],
  create(context) {
    let open: typeof context.statement | undefined;
    return {
      file() {
        open = undefined;
      },
      change(change) {
        if (
          context.transaction === 'per-file' &&
          (change.op === 'begin' || change.op === 'commit' || change.op === 'rollback')
        ) {
          if (change.op === 'begin') context.report({ messageId: 'wrappedBegin' });
          else context.report({ messageId: 'wrapped', data: { statement: change.op.toUpperCase() } });
          return;
        }
        if (change.op === 'begin') {
          if (open) context.report({ messageId: 'nested' });
          open = context.statement;
        } else if (change.op === 'commit' || change.op === 'rollback') open = undefined;
      },
      end() {
        if (open) context.report({ messageId: 'unclosed', location: open.location, statement: open.index });
      },
    };
  },
});
