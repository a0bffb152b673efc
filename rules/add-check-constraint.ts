import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-check-constraint',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'A new CHECK on an existing table: writes of the running version may violate it',
    messages: {
      default: 'Adding CHECK ({{expr}}) to {{table}} makes writes of the running version that violate it fail',
    },
    help: 'Add the check in a contract phase, once every deployed version satisfies it: `pgphase plan <file>` adds it NOT VALID and validates it separately',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'add-constraint' || change.constraint.kind !== 'check' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), expr: change.constraint.expr?.text ?? '…' } });
      },
    };
  },
});
