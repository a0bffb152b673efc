import { applicationLoses, defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-object',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'Dropping a schema, view, materialized view, function, procedure, sequence, type or domain breaks the running version that uses it',
    messages: {
      default: 'Dropping {{type}} {{name}} breaks the running version, which may still use it',
    },
    help: 'Drop it in a contract phase, once no deployed version uses it: `pgphase plan <file>` puts it there',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'drop-object' || !applicationLoses(context, change.objectType, change.name)) return;
        context.report({ messageId: 'default', data: { type: change.objectType, name: quoteQName(change.name) } });
      },
    };
  },
});
