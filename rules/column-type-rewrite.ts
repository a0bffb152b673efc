import { defineRule, GIVE_SCHEMA, typeChangeOf } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'column-type-rewrite',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'rewrite',
    plannable: true,
    description: 'A type change that is not binary-coercible rewrites the table and its indexes under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites the table and every index under an ACCESS EXCLUSIVE lock: all reads and writes wait ({{reason}})',
        help: 'Run `pgphase plan <file>`: a new column filled by a trigger and a batched backfill, swapped in the contract phase',
      },
      indexes: {
        message:
          'Changing {{table}}.{{column}} from {{from}} to {{to}} rebuilds its indexes on {{column}} under an ACCESS EXCLUSIVE lock, reading every row of {{table}}: all reads and writes wait ({{reason}})',
        help: 'Run `pgphase plan <file>`: a new column filled by a trigger and a batched backfill, swapped in the contract phase',
      },
      unknownType: {
        message: `Changing {{table}}.{{column}} to {{to}} is assumed to rewrite the table under an ACCESS EXCLUSIVE lock: the old type of {{column}} is unknown; to know it, ${GIVE_SCHEMA}`,
        help: 'Run `pgphase plan <file>`: a new column filled by a trigger and a batched backfill, swapped in the contract phase',
      },
    },
  },
  kinds: ['alter-column-type'],
  create(context) {
    return {
      change(change) {
        const { data, known } = typeChangeOf(change, context) ?? {};
        if (!data) return;
        if (!known) return context.report({ messageId: 'unknownType', data, assumption: true });
        if (known.analysis.cost === 'rewrite')
          context.report({
            messageId: known.analysis.keepsTable ? 'indexes' : 'default',
            data: { ...data, from: known.from.display, reason: known.analysis.reason },
          });
      },
    };
  },
});
