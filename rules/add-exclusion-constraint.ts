import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-exclusion-constraint',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'index',
    description:
      'ADD CONSTRAINT … EXCLUDE on an existing table builds its index and checks every row under ACCESS EXCLUSIVE; there is no concurrent way',
    messages: {
      default: {
        message:
          'Adding an exclusion constraint to {{table}} builds its index and checks every row while holding an ACCESS EXCLUSIVE lock, and it cannot be done concurrently',
        help: 'Create a new table with the constraint and move the data, or schedule a maintenance window',
      },
    },
  },
  kinds: ['add-constraint'],
  create(context) {
    return {
      change(change) {
        if (change.constraint.kind !== 'exclusion' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table) } });
      },
    };
  },
});
