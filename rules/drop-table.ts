import { defineRule, dropAssumesExisting, GIVE_SCHEMA } from '../src/lint/rule.js';
import { qkey, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-table',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'DROP TABLE breaks the running version that still reads or writes the table',
    messages: {
      default: {
        message:
          'Dropping table {{table}} breaks every query of the running version that uses it, and deletes its rows',
        help: 'Drop the table in a contract phase, after no deployed version reads it (`pgphase plan <file>`)',
      },
      assumed: {
        message: `Dropping table {{table}} (IF EXISTS) breaks every query of the running version that uses it, and deletes its rows, if the table exists: no migration pgphase read creates it; to know, ${GIVE_SCHEMA}`,
        help: 'Drop the table in a contract phase, after no deployed version reads it (`pgphase plan <file>`)',
      },
    },
  },
  kinds: ['drop-table'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        const assumed = dropAssumesExisting(
          change.ifExists,
          context.schema.table(change.table) !== undefined || context.schema.views.has(qkey(change.table)),
        );
        context.report({
          messageId: assumed ? 'assumed' : 'default',
          data: { table: quoteQName(change.table) },
          assumption: assumed,
        });
      },
    };
  },
});
