// UPDATE and DELETE on existing tables become a batched, resumable backfill by key.
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse } from '../../sql/rewrite.js';
import { knownTable, step, UnsafeChange, type RecipeContext } from '../recipe.js';
import { emptyOutput, type RecipeOutput } from '../types.js';

type Node = Record<string, any>;

export function dataChange(change: ChangeOf<'data-change'>, context: RecipeContext): RecipeOutput | undefined {
  if (context.isNewTable(change.table)) return undefined;
  const out = emptyOutput();
  const node = Object.values(context.statement.node)[0] as Node;
  if (change.op === 'insert' || change.op === 'merge' || node.fromClause || node.usingClause || node.returningList || node.withClause) {
    if (change.op === 'insert' && !change.fromSelect) {
      out.steps.push(step(context, 'backfill', 'insert', context.statement.text, { lockMode: 'ROW EXCLUSIVE' }));
      return out;
    }
    throw new UnsafeChange(`this ${change.op.toUpperCase()} (with a join, a CTE or INSERT … SELECT) cannot be split into key batches automatically; write it as a plain UPDATE or DELETE per table`, 'backfill');
  }
  if (node.relation?.alias) throw new UnsafeChange(`write this ${change.op.toUpperCase()} without a table alias: its batches name the table itself`, 'backfill');
  const table = knownTable(context, change.table);
  const key = context.schema.rowKey(table);
  if (!key) throw new UnsafeChange(`${quoteQualified(table)} has no primary key or unique NOT NULL key to batch by`, 'backfill');
  const movesKey = change.setColumns.find((c) => key.includes(c));
  if (movesKey) throw new UnsafeChange(`this UPDATE changes the key column ${quoteIdent(movesKey)} that batches walk by: rows would move ahead of the cursor and change twice`, 'backfill');
  const where = change.where ? deparse(change.where.node) : 'true';
  if (change.op === 'delete') {
    out.backfills.push({ table: { schema: table.schema, name: table.name }, key, where, reversible: false });
    return out;
  }
  const targets = (node.targetList as Node[]).map((t) => t.ResTarget as Node);
  if (targets.some((t) => t.indirection || t.val?.MultiAssignRef)) {
    throw new UnsafeChange('SET with (a, b) = … or subscripts cannot be batched automatically; write one assignment per column', 'backfill');
  }
  const generated = targets.find((t) => table.columns.get(t.name)?.generated || table.columns.get(t.name)?.identity === 'always');
  if (generated) throw new UnsafeChange(`${quoteIdent(generated.name)} is a generated column; PostgreSQL computes it, a backfill never writes it`, 'backfill');
  const set = targets.map((t) => `${quoteIdent(t.name)} = ${deparse(t.val)}`).join(', ');
  out.backfills.push({ table: { schema: table.schema, name: table.name }, key, set, where, reversible: false });
  return out;
}
