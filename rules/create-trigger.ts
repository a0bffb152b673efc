import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'create-trigger',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'CREATE TRIGGER on an existing table changes what every write of the running version does',
    messages: {
      default: {
        message:
          'Trigger {{trigger}} on {{table}} runs on the writes of the running version as soon as it commits: what they do changes, and a failing trigger makes them fail',
        help: 'Make sure the trigger fits the writes of the running version (or ignore with the reason); creating it takes a SHARE ROW EXCLUSIVE lock that blocks writes while it waits',
      },
    },
  },
  kinds: ['create-object'],
  create(context) {
    return {
      change(change) {
        if (change.objectType !== 'trigger' || !change.table) return;
        if (context.isNewTable(change.table) || context.isNewObject(change.table)) return;
        context.report({
          messageId: 'default',
          data: { trigger: quoteIdent(change.name.name), table: quoteQName(change.table) },
        });
      },
    };
  },
});
