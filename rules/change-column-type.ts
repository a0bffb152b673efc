import { defineRule, GIVE_SCHEMA, typeChangeOf } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'change-column-type',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'ALTER COLUMN … TYPE that is not a widening the running version tolerates',
    messages: {
      default: {
        message:
          'Changing {{table}}.{{column}} from {{from}} to {{to}} can break the running version, which still reads and writes {{from}} values',
        help: 'Run `pgphase plan <file>`: a new column with a converting trigger and backfill, swapped in the contract phase',
      },
      unknownType: {
        message: `Changing {{table}}.{{column}} to {{to}} is assumed to break the running version: the old type of {{column}} is unknown; to know it, ${GIVE_SCHEMA}`,
        help: 'Run `pgphase plan <file>`: a new column with a converting trigger and backfill, swapped in the contract phase',
      },
    },
  },
  kinds: ['alter-column-type'],
  create(context) {
    return {
      change(change) {
        const { data, known } = typeChangeOf(change, context) ?? {};
        // the running version never reads or writes a column this migration added
        if (!data || context.isNewColumn(change.table, change.column)) return;
        if (!known) return context.report({ messageId: 'unknownType', data, assumption: true });
        if (!known.analysis.tolerated)
          context.report({ messageId: 'default', data: { ...data, from: known.from.display } });
      },
    };
  },
});
