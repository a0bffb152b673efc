import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-foreign-key',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'A new foreign key on an existing table: the running version may write orphans or delete in the wrong order',
    messages: {
      default: 'The foreign key {{table}}({{columns}}) → {{references}} makes writes and deletes of the running version that break it fail',
    },
    help: 'Add the foreign key (NOT VALID) only once every deployed version keeps it; otherwise in contract',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'add-constraint' || change.constraint.kind !== 'foreign-key' || context.isNewTable(change.table)) return;
        const refs = change.constraint.references!;
        context.report({
          messageId: 'default',
          data: {
            table: quoteQName(change.table),
            columns: change.constraint.columns.map(quoteIdent).join(', '),
            references: quoteQName(refs.table),
          },
        });
      },
    };
  },
});
