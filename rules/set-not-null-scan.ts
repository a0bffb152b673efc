import { defineRule } from '../src/lint/rule.js';
import { notNullCheckColumn, type ChangeOf } from '../src/sql/changes.js';
import { quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

/** The column a change proves NOT NULL by reading the table: SET NOT NULL, or PostgreSQL 18's `ADD CONSTRAINT … NOT NULL col` without NOT VALID. */
function provesNotNull(
  change: ChangeOf<'set-not-null' | 'add-constraint'>,
  pgVersion: number,
): { table: QName; column: string; messageId: 'default' | 'constraint' } | undefined {
  if (change.kind === 'set-not-null') return { table: change.table, column: change.column, messageId: 'default' };
  if (change.constraint.kind !== 'not-null' || change.constraint.notValid || pgVersion < 18) return undefined;
  const [column] = change.constraint.columns;
  return column === undefined ? undefined : { table: change.table, column, messageId: 'constraint' };
}

export default defineRule({
  meta: {
    id: 'set-not-null-scan',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'scan',
    plannable: true,
    description:
      'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists (PostgreSQL 12+)',
    messages: {
      default: {
        message:
          'SET NOT NULL on {{table}}.{{column}} reads every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
        help: 'PostgreSQL 12+: add `CHECK ({{column}} IS NOT NULL) NOT VALID`, `VALIDATE` it, then SET NOT NULL (no scan) and drop the check; `pgphase plan <file>` writes these steps',
      },
      constraint: {
        message:
          'Adding a NOT NULL constraint on {{table}}.{{column}} reads every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
        help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` writes steps that scan without blocking',
      },
    },
  },
  kinds: ['set-not-null', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        const target = provesNotNull(change, context.pgVersion);
        if (!target || context.isNewTable(target.table)) return;
        const { table, column, messageId } = target;
        // NOT NULL already: PostgreSQL does nothing and reads no row. A NOT VALID not-null constraint is no proof: it is validated by a scan
        if (context.schema.column(table, column)?.notNull) return;
        const constraints = context.schema.table(table)?.constraints.values() ?? [];
        if (context.pgVersion >= 12 && [...constraints].some((c) => c.validated && notNullCheckColumn(c) === column))
          return;
        context.report({ messageId, data: { table: quoteQName(table), column: quoteIdent(column) } });
      },
    };
  },
});
