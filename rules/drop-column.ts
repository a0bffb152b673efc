import { defineRule, dropAssumesExisting, GIVE_SCHEMA } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-column',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'DROP COLUMN on an existing table breaks the running version that still uses the column',
    messages: {
      default: {
        message:
          'Dropping column {{table}}.{{column}} breaks every query of the running version that reads or writes {{column}}',
        help: 'Run `pgphase plan <file>`: expand lets new code omit the column, contract drops it once no running version uses it',
      },
      assumed: {
        message: `Dropping column {{table}}.{{column}} (IF EXISTS) breaks every query of the running version that reads or writes {{column}}, if the column exists: no migration pgphase read creates it; to know, ${GIVE_SCHEMA}`,
        help: 'Run `pgphase plan <file>`: expand lets new code omit the column, contract drops it once no running version uses it',
      },
    },
  },
  kinds: ['drop-column'],
  create(context) {
    return {
      change(change) {
        // the running version never used a column this migration added
        if (context.isNewTable(change.table) || context.isNewColumn(change.table, change.column)) return;
        const assumed = dropAssumesExisting(
          change.ifExists,
          context.schema.column(change.table, change.column) !== undefined,
        );
        context.report({
          messageId: assumed ? 'assumed' : 'default',
          data: { table: quoteQName(change.table), column: quoteIdent(change.column) },
          assumption: assumed,
        });
      },
    };
  },
});
