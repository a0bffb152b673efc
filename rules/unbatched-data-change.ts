import { defineRule, GIVE_SCHEMA } from '../src/lint/rule.js';
import type { ChangeOf } from '../src/sql/changes.js';
import type { SchemaModel } from '../src/schema/model.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';
import type { PgNode } from '../src/sql/source.js';

/** Column names the WHERE clause pins to constants with `col = const` or `col IN (consts)`, through ANDs. */
function pinned(node: PgNode | undefined, out = new Set<string>()): Set<string> {
  if (!node) return out;
  const bool = node.BoolExpr;
  if (bool?.boolop === 'AND_EXPR') for (const arg of bool.args ?? []) pinned(arg, out);
  const e = node.A_Expr;
  const isConst = (n: PgNode | undefined) =>
    n?.A_Const !== undefined || n?.ParamRef !== undefined || n?.TypeCast?.arg?.A_Const !== undefined;
  const column = (n: PgNode | undefined) => {
    const fields = n?.ColumnRef?.fields ?? [];
    return fields[fields.length - 1]?.String?.sval as string | undefined;
  };
  if (e && e.name?.[0]?.String?.sval === '=') {
    const col = column(e.lexpr) ?? column(e.rexpr);
    const other = column(e.lexpr) ? e.rexpr : e.lexpr;
    if (
      col &&
      (e.kind === 'AEXPR_OP' ? isConst(other) : e.kind === 'AEXPR_IN' && (other?.List?.items ?? []).every(isConst))
    )
      out.add(col);
  }
  return out;
}

/** Does the WHERE clause pin every column of the primary key or of a unique index? */
function pinsKey(cols: Set<string>, change: ChangeOf<'data-change'>, schema: SchemaModel): boolean {
  if (cols.size === 0) return false;
  const keys = schema
    .tableIndexes(change.table)
    .filter((i) => i.unique && !i.partial)
    .map((i) => i.columns);
  return keys.some((key) => key.every((c) => c !== null && cols.has(c)));
}

export default defineRule({
  meta: {
    id: 'unbatched-data-change',
    category: 'blocks-traffic',
    severity: 'error',
    plannable: true,
    description:
      'UPDATE/DELETE without a narrow key predicate, or INSERT … SELECT, on an existing table inside a migration',
    messages: {
      update: {
        message:
          '{{op}} on {{table}} touches every matching row in one transaction: the rows stay locked until it commits, and on a big table it runs for minutes',
        help: 'Move the data change into a batched, resumable backfill phase: `pgphase plan <file>`',
      },
      insert: {
        message:
          'INSERT … SELECT into {{table}} copies every row in one transaction, holding its locks and bloating the table until it commits',
        help: 'Move the data change into a batched, resumable backfill phase: `pgphase plan <file>`',
      },
      merge: {
        message:
          'MERGE into {{table}} applies every row of its source in one transaction: the rows of {{table}} it changes stay locked until it commits, and with a big source it runs for minutes',
        help: 'Write it as an `UPDATE … FROM` and an `INSERT … SELECT`, which `pgphase plan <file>` moves into batched, resumable backfill phases',
      },
      unknownKey: {
        message: `{{op}} on {{table}} pins {{columns}}, but the keys of {{table}} are unknown (no earlier migration or given schema defines the table): it is assumed to touch every row in one transaction; to know the keys, ${GIVE_SCHEMA}`,
        help: 'Give pgphase the schema of {{table}}: if {{columns}} is a key, nothing is flagged; if not, `pgphase plan <file>` moves the change into a batched, resumable backfill phase',
      },
    },
  },
  kinds: ['data-change'],
  create(context) {
    return {
      change(change) {
        if (change.op === 'insert' || change.op === 'merge') {
          // a table this migration created has no traffic: filling it locks no row anyone waits for
          if (change.fromSelect && !context.isNewTable(change.table))
            context.report({ messageId: change.op, data: { table: quoteQName(change.table) } });
          return;
        }
        const cols = pinned(change.where?.node);
        if (context.isNewTable(change.table) || pinsKey(cols, change, context.schema)) return;
        const data = { op: change.op.toUpperCase(), table: quoteQName(change.table) };
        // `WHERE id = 1` may well be a key: say what is missing to tell
        if (cols.size > 0 && !context.schema.table(change.table)) {
          context.report({
            messageId: 'unknownKey',
            data: { ...data, columns: [...cols].map(quoteIdent).join(', ') },
            assumption: true,
          });
          return;
        }
        context.report({ messageId: 'update', data });
      },
    };
  },
});
