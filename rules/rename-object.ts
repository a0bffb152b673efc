import { applicationLoses, defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'rename-object',
    category: 'breaks-old-code',
    severity: 'error',
    description:
      'Renaming a schema, view, materialized view, function, procedure, sequence, type or domain breaks the running version that uses the old name',
    messages: {
      default: {
        message: 'Renaming {{type}} {{name}} to {{newName}} breaks the running version, which still uses {{name}}',
        help: 'Create the object under the new name in expand; drop the old one in contract',
      },
    },
  },
  kinds: ['rename-object'],
  create(context) {
    return {
      change(change) {
        if (!applicationLoses(context, change.objectType, change.name)) return;
        context.report({
          messageId: 'default',
          data: { type: change.objectType, name: quoteQName(change.name), newName: quoteIdent(change.newName) },
        });
      },
    };
  },
});
