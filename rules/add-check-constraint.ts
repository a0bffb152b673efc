import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';
import { columnRefs } from '../src/sql/normalize.js';

export default defineRule({
  meta: {
    id: 'add-check-constraint',
    category: 'breaks-old-code',
    severity: 'warning',
    plannable: true,
    description: 'A new CHECK on an existing table: writes of the running version may violate it',
    messages: {
      default: {
        message: 'Adding CHECK ({{expr}}) to {{table}} makes writes of the running version that violate it fail',
        help: 'Add the check in a contract phase, once every deployed version satisfies it: `pgphase plan <file>` adds it NOT VALID and validates it separately',
      },
      column: {
        message:
          'Adding column {{column}} to {{table}} with CHECK ({{expr}}) makes writes of the running version to {{others}} that violate it fail',
        help: 'Add {{column}} without the CHECK, and add the check in a contract phase, once every deployed version writes {{others}} so that it holds: `pgphase plan <file>` adds it NOT VALID and validates it separately',
      },
    },
  },
  kinds: ['add-column', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        // the running version never writes a new column (its INSERTs get the default, checked when the column is
        // added): only a CHECK that also reads other columns can refuse its writes
        if (change.kind === 'add-column') {
          if (context.isNewTable(change.table)) return;
          // IF NOT EXISTS on a column that exists skips the whole sub-command, its constraints too
          if (change.ifNotExists && context.schema.column(change.table, change.column.name)) return;
          for (const c of change.column.constraints) {
            const others =
              c.kind === 'check' && c.expr ? columnRefs(c.expr.node).filter((name) => name !== change.column.name) : [];
            if (others.length === 0) continue;
            context.report({
              messageId: 'column',
              data: {
                column: quoteIdent(change.column.name),
                table: quoteQName(change.table),
                expr: c.expr!.text,
                others: others.map(quoteIdent).join(', '),
              },
            });
          }
          return;
        }
        if (change.constraint.kind !== 'check' || context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), expr: change.constraint.expr?.text ?? '…' },
        });
      },
    };
  },
});
