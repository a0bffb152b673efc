import { defineRule } from '../src/lint/rule.js';
import { constraintName, qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'validate-in-same-transaction',
    category: 'blocks-traffic',
    severity: 'error',
    description:
      'VALIDATE CONSTRAINT in the transaction that added the constraint keeps the strong lock during the scan',
    messages: {
      default: {
        message:
          'Validating {{constraint}} in the transaction that added it scans {{table}} while the lock taken by ADD CONSTRAINT is still held, which defeats NOT VALID',
        help: 'Commit after `ADD CONSTRAINT … NOT VALID` and validate in a later migration or transaction',
      },
    },
  },
  kinds: ['add-constraint', 'validate-constraint'],
  create(context) {
    let addedIn: Map<string, number>;
    return {
      file() {
        addedIn = new Map();
      },
      change(change) {
        // a constraint added without a name is validated under the name PostgreSQL gave it
        if (change.kind === 'add-constraint' && change.constraint.notValid) {
          addedIn.set(
            `${qkey(change.table)}|${constraintName(change.table.name, change.constraint)}`,
            context.transactionId,
          );
        }
        if (change.kind !== 'validate-constraint' || context.isNewTable(change.table)) return;
        if (addedIn.get(`${qkey(change.table)}|${change.name}`) !== context.transactionId) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), constraint: quoteIdent(change.name) },
        });
      },
    };
  },
});
