import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-foreign-key-validated',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'A foreign key added without NOT VALID scans the table under SHARE ROW EXCLUSIVE on both tables',
    messages: {
      default: 'Adding a validated foreign key to {{table}} checks every existing row while holding SHARE ROW EXCLUSIVE locks on {{table}} and {{references}}, which block their writes',
    },
    help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (it takes only SHARE UPDATE EXCLUSIVE)',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'add-constraint' || change.constraint.kind !== 'foreign-key' || change.constraint.notValid) return;
        if (context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), references: quoteQName(change.constraint.references!.table) } });
      },
    };
  },
});
