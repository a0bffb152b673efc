import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteQName } from '../src/sql/names.js';

/** The ENABLE that turns back on what each DISABLE turns off. */
const ENABLES: Record<string, string> = { DisableTrigAll: 'EnableTrigAll', DisableTrigUser: 'EnableTrigUser' };

export default defineRule({
  meta: {
    id: 'disable-trigger',
    category: 'robustness',
    severity: 'error',
    description:
      'DISABLE TRIGGER ALL or USER on an existing table turns triggers off for every session until enabled again',
    messages: {
      all: {
        message:
          'DISABLE TRIGGER ALL turns off every trigger on {{table}}, its foreign-key checks included, for every session once it commits: rows that break its foreign keys or skip its triggers get in',
        help: 'Enable the triggers again in the same transaction (`ALTER TABLE … ENABLE TRIGGER ALL`), or set `session_replication_role = replica` for this session only',
      },
      user: {
        message:
          'DISABLE TRIGGER USER turns off every trigger of the application on {{table}} for every session once it commits: writes skip what its triggers do',
        help: 'Enable the triggers again in the same transaction (`ALTER TABLE … ENABLE TRIGGER USER`), or set `session_replication_role = replica` for this session only',
      },
    },
  },
  kinds: ['alter-table-other'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        const enable = ENABLES[change.subtype];
        if (!enable) return;
        // enabled again before the transaction commits: no other session ever runs without them
        const table = qkey(change.table);
        if (
          context.laterInTransaction(
            (c) => c.kind === 'alter-table-other' && c.subtype === enable && qkey(c.table) === table,
          )
        )
          return;
        context.report({
          messageId: change.subtype === 'DisableTrigAll' ? 'all' : 'user',
          data: { table: quoteQName(change.table) },
        });
      },
    };
  },
});
