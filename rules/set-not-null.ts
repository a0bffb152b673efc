import { defineRule } from '../src/lint/rule.js';
import type { ChangeOf } from '../src/sql/changes.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

/** The column a change makes refuse NULL: SET NOT NULL, or PostgreSQL 18's `ADD CONSTRAINT … NOT NULL col`, NOT VALID or not. */
function refusesNull(
  change: ChangeOf<'set-not-null' | 'add-constraint'>,
  pgVersion: number,
): { table: QName; column: string } | undefined {
  if (change.kind === 'set-not-null') return { table: change.table, column: change.column };
  if (change.constraint.kind !== 'not-null' || pgVersion < 18) return undefined;
  const [column] = change.constraint.columns;
  return column === undefined ? undefined : { table: change.table, column };
}

export default defineRule({
  meta: {
    id: 'set-not-null',
    category: 'breaks-old-code',
    severity: 'error',
    plannable: true,
    description: 'ALTER COLUMN … SET NOT NULL while the running version may still write NULL',
    messages: {
      default: {
        message:
          'Setting {{table}}.{{column}} NOT NULL makes every write of the running version that leaves {{column}} NULL fail',
        help: 'Run `pgphase plan <file>`: backfill first, then NOT NULL via a validated check in the contract phase',
      },
      newColumn: {
        message:
          'Setting {{table}}.{{column}} NOT NULL makes every INSERT of the running version fail: it does not know {{column}}, which this migration adds without a default, so its rows leave it NULL',
        help: "Give {{column}} a default where this migration adds it (the running version's INSERTs then fill it), or run `pgphase plan <file>`: backfill, then NOT NULL in the contract phase once every deployed version writes {{column}}",
      },
    },
  },
  kinds: ['set-not-null', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        const target = refusesNull(change, context.pgVersion);
        if (!target || context.isNewTable(target.table)) return;
        const { table, column } = target;
        // NOT NULL already, or NOT VALID (which refuses new NULLs): no write that worked before fails now
        const col = context.schema.column(table, column);
        if (col?.notNull || context.schema.pendingNotNull(table, column)) return;
        // a column this migration added, which the running version never names: a default the same statement
        // sets fills it for its INSERTs, whatever the order of the sub-commands
        const defaulted = context.changes.some(
          (c) => c.kind === 'set-default' && c.column === column && qkey(c.table) === qkey(table),
        );
        if (defaulted && context.isNewColumn(table, column)) return;
        const data = { table: quoteQName(table), column: quoteIdent(column) };
        // the running version never names a column this migration added: only its default can fill it
        if (!context.isNewColumn(table, column)) context.report({ messageId: 'default', data });
        else if (!col?.default && !col?.identity && !col?.generated) context.report({ messageId: 'newColumn', data });
      },
    };
  },
});
