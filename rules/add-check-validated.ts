import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-check-validated',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'scan',
    plannable: true,
    description: 'A CHECK added without NOT VALID scans the whole table under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'Adding CHECK ({{expr}}) to {{table}} without NOT VALID reads every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
        help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
      },
      column: {
        message:
          'Adding column {{column}} to {{table}} with CHECK ({{expr}}) reads every row to check it while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
        help: 'Add {{column}} without the CHECK, then `ADD CONSTRAINT … CHECK … NOT VALID`, and `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
      },
    },
  },
  kinds: ['add-column', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        // a column constraint cannot be NOT VALID: PostgreSQL checks it on every existing row, even one where the column is NULL
        if (change.kind === 'add-column') {
          if (context.isNewTable(change.table)) return;
          // IF NOT EXISTS on a column that exists skips the whole sub-command, its constraints too
          if (change.ifNotExists && context.schema.column(change.table, change.column.name)) return;
          for (const c of change.column.constraints) {
            if (c.kind !== 'check') continue;
            context.report({
              messageId: 'column',
              data: {
                column: quoteIdent(change.column.name),
                table: quoteQName(change.table),
                expr: c.expr?.text ?? '…',
              },
            });
          }
          return;
        }
        if (change.constraint.kind !== 'check' || change.constraint.notValid) return;
        if (context.isNewTable(change.table)) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), expr: change.constraint.expr?.text ?? '…' },
        });
      },
    };
  },
});
