// SET NOT NULL on an existing table: in contract, once no running version writes NULL, without
// the long scan (not-null.ts).
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { notNullSteps, nullsLeft } from '../not-null.js';
import { isRefused, knownTable, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function setNotNull(
  change: ChangeOf<'set-not-null'>,
  context: RecipeContext,
  constraint?: string,
): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const out = emptyOutput();
  const fill = context.fillOf(table, change.column);
  if (fill) {
    // the old version may write NULL until it is gone, after the backfill too: contract fills those rows the same way first
    const q = quoteIdent(change.column);
    out.steps.push(
      step(
        context,
        'contract',
        `fill-${change.column}`,
        `UPDATE ${quoteQualified(table)} SET ${fill.set} WHERE (${fill.where}) AND ${q} IS NULL`,
        { lockMode: 'ROW EXCLUSIVE' },
      ),
    );
  }
  out.steps.push(...notNullSteps(context, table, change.column, change.column, constraint));
  out.checks.push(nullsLeft(table, change.column, fill?.where));
  out.requires.contract = `no running version writes NULL into ${quoteIdent(change.column)}`;
  return out;
}
