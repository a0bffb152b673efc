import { defineRule } from '../src/lint/rule.js';
import { quoteLiteral, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'rename-enum-value',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'ALTER TYPE … RENAME VALUE breaks the running version that still writes or compares the old value',
    messages: {
      default: {
        message:
          'Renaming value {{value}} of enum {{type}} to {{newValue}} breaks the running version, which still writes and compares {{value}}',
        help: 'Add the new value, move rows to it, stop using the old one (PostgreSQL cannot drop enum values): `pgphase plan <file>`',
      },
    },
  },
  kinds: ['enum-rename-value'],
  create(context) {
    return {
      change(change) {
        if (context.isNewObject(change.type)) return;
        context.report({
          messageId: 'default',
          data: {
            type: quoteQName(change.type),
            value: quoteLiteral(change.value),
            newValue: quoteLiteral(change.newValue),
          },
        });
      },
    };
  },
});
