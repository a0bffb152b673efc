// DROP TABLE goes to contract, when no running version uses the table. The foreign keys of other
// tables pointing at it are dropped first, each in a step of its own, so that the exclusive
// locks stay short.
import type { ChangeOf } from '../../sql/changes.js';
import { qkey, quoteIdent, quoteQualified } from '../../sql/names.js';
import { byName, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function dropTable(change: ChangeOf<'drop-table'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const out = emptyOutput();
  const target = qkey(change.table);
  for (const other of byName(context.schema.tables.values())) {
    for (const c of byName(other.constraints.values())) {
      if (c.kind !== 'foreign-key' || qkey(c.references!.table) !== target || qkey(other) === target) continue;
      out.steps.push(
        step(
          context,
          'contract',
          `drop-fk-${c.name}`,
          `ALTER TABLE ${quoteQualified(other)} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.name)}`,
          { lockMode: 'SHARE ROW EXCLUSIVE' },
        ),
      );
    }
  }
  out.steps.push(
    step(
      context,
      'contract',
      `drop-table-${change.table.name}`,
      `DROP TABLE IF EXISTS ${quoteQualified(change.table)}${change.cascade ? ' CASCADE' : ''}`,
      { lockMode: 'ACCESS EXCLUSIVE' },
    ),
  );
  out.requires.contract = `no running version uses ${quoteQualified(change.table)}`;
  return out;
}
