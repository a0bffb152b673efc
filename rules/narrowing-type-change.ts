import { defineRule, typeChangeOf } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'narrowing-type-change',
    category: 'data-loss',
    severity: 'error',
    plannable: true,
    description:
      'A type change that existing values may not fit or that changes them: shorter varchar, bigint→int, less numeric scale, text→varchar(n) …',
    messages: {
      default: {
        message:
          'Changing {{table}}.{{column}} from {{from}} to {{to}} narrows it: existing values may fail to convert or silently change ({{reason}})',
        help: 'Add a new column of the new type, backfill it with a checked conversion, and swap in contract: `pgphase plan <file>`',
      },
    },
  },
  kinds: ['alter-column-type'],
  create(context) {
    return {
      change(change) {
        const { data, known } = typeChangeOf(change, context) ?? {};
        // a column added earlier in this migration holds no value the running version wrote, only the migration's own
        if (!data || !known?.analysis.narrowing || context.isNewColumn(change.table, change.column)) return;
        context.report({
          messageId: 'default',
          data: { ...data, from: known.from.display, reason: known.analysis.reason },
        });
      },
    };
  },
});
