import { defineRule, typeChangeOf } from '../src/lint/rule.js';
import { quoteIdent } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'change-collation',
    category: 'blocks-traffic',
    severity: 'error',
    plannable: true,
    description: "A column's collation change rebuilds every index on the column under ACCESS EXCLUSIVE",
    messages: {
      default: {
        message:
          'Changing the collation of {{table}}.{{column}} to {{collation}} rebuilds every index on {{column}} under an ACCESS EXCLUSIVE lock on {{table}}: all reads and writes wait, and the order of {{column}} changes for the running version',
        help: 'Add a column with the new collation, fill it in batches and swap it in (`pgphase plan <file>` plans the type-change phases), or build the new indexes CONCURRENTLY with `COLLATE` in the index',
      },
    },
  },
  kinds: ['alter-column-type'],
  create(context) {
    return {
      change(change) {
        const { data, known } = typeChangeOf(change, context) ?? {};
        if (change.collation === undefined || !data || !known) return;
        // a rewrite is column-type-rewrite's; the same collation changes nothing (no COLLATE is the type's "default")
        const old = context.schema.column(change.table, change.column)?.collation ?? 'default';
        if (known.analysis.cost === 'rewrite' || old === change.collation) return;
        context.report({
          messageId: 'default',
          data: { table: data.table, column: data.column, collation: quoteIdent(change.collation) },
        });
      },
    };
  },
});
