import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'primary-key-on-nullable',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'scan',
    plannable: true,
    description:
      'ADD PRIMARY KEY (also USING INDEX) on nullable columns sets them NOT NULL with a full scan under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'The primary key on {{table}} makes {{columns}} NOT NULL, which reads every row under an ACCESS EXCLUSIVE lock',
        help: 'Make the columns NOT NULL first without a scan (a validated CHECK (col IS NOT NULL), then SET NOT NULL), then add the key; `pgphase plan <file>` writes these steps',
      },
    },
  },
  kinds: ['add-constraint'],
  create(context) {
    return {
      change(change) {
        if (change.constraint.kind !== 'primary-key' || context.isNewTable(change.table)) return;
        const table = context.schema.table(change.table);
        let columns = change.constraint.columns;
        if (change.constraint.usingIndex && table) {
          columns = (
            context.schema.indexes.get(qkey({ schema: table.schema, name: change.constraint.usingIndex }))?.columns ??
            []
          ).filter((c): c is string => c !== null);
        }
        const nullable = columns.filter((c) => table?.columns.get(c)?.notNull !== true);
        if (!nullable.length) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), columns: nullable.map(quoteIdent).join(', ') },
        });
      },
    };
  },
});
