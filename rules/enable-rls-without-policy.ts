import { defineRule } from '../src/lint/rule.js';
import type { Change } from '../src/sql/changes.js';
import { qkey, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'enable-rls-without-policy',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'ENABLE or FORCE ROW LEVEL SECURITY on an existing table that has no policy yet: queries see no rows',
    messages: {
      default: {
        message:
          'Turning on row level security on {{table}}, which has no policy, makes every query of the running version see no rows of it and change none (its owner, unless FORCE ROW LEVEL SECURITY, and roles that bypass row level security aside)',
        help: 'Create the policies first, in this transaction or an earlier migration, then enable row level security',
      },
    },
  },
  kinds: ['alter-table-other'],
  create(context) {
    return {
      change(change) {
        if (
          (change.subtype !== 'EnableRowSecurity' && change.subtype !== 'ForceRowSecurity') ||
          context.isNewTable(change.table)
        )
          return;
        const table = qkey(change.table);
        const policy = (c: Change) =>
          c.kind === 'create-object' && c.objectType === 'policy' && c.table !== undefined && qkey(c.table) === table;
        // a policy created later in the same transaction is there when the change becomes visible
        if (
          [...context.schema.objects.values()].some((o) => o.type === 'policy' && o.table === table) ||
          context.laterInTransaction(policy)
        )
          return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table) } });
      },
    };
  },
});
