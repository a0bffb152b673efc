import { defineRule } from '../src/lint/rule.js';
import { APPLICATION_OBJECTS, createdName } from '../src/sql/changes.js';
import { qkey, quoteQName } from '../src/sql/names.js';

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
        if (change.kind !== 'drop-object' || !APPLICATION_OBJECTS.has(change.objectType) || context.isNewObject(change.name)) return;
        // only triggers call a trigger function; a name re-created in the same transaction never goes missing
        if (context.schema.triggerFunctions.has(qkey(change.name))) return;
        if (context.laterInTransaction((c) => qkey(createdName(c) ?? { name: '' }) === qkey(change.name))) return;
        context.report({ messageId: 'default', data: { type: change.objectType, name: quoteQName(change.name) } });
      },
    };
  },
});
