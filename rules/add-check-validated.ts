import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-check-validated',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'A CHECK added without NOT VALID scans the whole table under ACCESS EXCLUSIVE',
    messages: {
      default: 'Adding CHECK ({{expr}}) to {{table}} without NOT VALID reads every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
    },
    help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'add-constraint' || change.constraint.kind !== 'check' || change.constraint.notValid) return;
        if (context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), expr: change.constraint.expr?.text ?? '…' } });
      },
    };
  },
});
