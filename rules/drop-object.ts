import { applicationLoses, defineRule, dropAssumesExisting, GIVE_SCHEMA } from '../src/lint/rule.js';
import { qkey, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-object',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description:
      'Dropping a schema, view, materialized view, function, procedure, sequence, type or domain breaks the running version that uses it',
    messages: {
      default: {
        message: 'Dropping {{type}} {{name}} breaks the running version, which may still use it',
        help: 'Drop it in a contract phase, once no deployed version uses it: `pgphase plan <file>` puts it there',
      },
      assumed: {
        message: `Dropping {{type}} {{name}} (IF EXISTS) breaks the running version, which may still use it, if it exists: no migration pgphase read creates it; to know, ${GIVE_SCHEMA}`,
        help: 'Drop it in a contract phase, once no deployed version uses it: `pgphase plan <file>` puts it there',
      },
    },
  },
  kinds: ['drop-object'],
  create(context) {
    return {
      change(change) {
        if (!applicationLoses(context, change.objectType, change.name)) return;
        const assumed = dropAssumesExisting(
          change.ifExists,
          context.schema.views.has(qkey(change.name)) || context.schema.hasObject(change.name),
        );
        context.report({
          messageId: assumed ? 'assumed' : 'default',
          data: { type: change.objectType, name: quoteQName(change.name) },
          assumption: assumed,
        });
      },
    };
  },
});
