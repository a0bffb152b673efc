import { defineRule } from '../src/lint/rule.js';
import { quoteLiteral, quoteQName } from '../src/sql/names.js';
import { mentionsString } from '../src/sql/rewrite.js';

export default defineRule({
  meta: {
    id: 'enum-value-used-in-same-transaction',
    category: 'robustness',
    severity: 'error',
    description:
      'A value added with ALTER TYPE … ADD VALUE used later in the same transaction (fails with SQLSTATE 55P04)',
    messages: {
      default: {
        message:
          'Enum value {{value}} of {{type}} is used in the transaction that added it: PostgreSQL refuses with "unsafe use of new value" (55P04)',
        help: 'Commit after `ALTER TYPE … ADD VALUE` and use the value in a later migration or transaction',
      },
    },
  },
  kinds: ['enum-add-value'],
  create(context) {
    let added: Array<{ value: string; type: string; transaction: number }>;
    return {
      file() {
        added = [];
      },
      statement(statement) {
        if (statement.node.AlterEnumStmt) return;
        // indexed loop, no iterator: this runs for every statement, in code V8 does not optimize (bin/pgphase.cjs)
        for (let i = 0; i < added.length; i++) {
          const a = added[i]!;
          if (a.transaction === context.transactionId && mentionsString(statement.node, a.value)) {
            context.report({ messageId: 'default', data: { value: quoteLiteral(a.value), type: a.type } });
          }
        }
      },
      change(change) {
        added.push({ value: change.value, type: quoteQName(change.type), transaction: context.transactionId });
      },
    };
  },
});
