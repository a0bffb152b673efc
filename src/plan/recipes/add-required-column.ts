// ADD COLUMN … NOT NULL without a default on an existing table: nullable in expand, NOT NULL in
// contract once filled, without the long scan (not-null.ts).
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { typeSql } from '../../sql/normalize.js';
import { hasDefault } from '../../sql/volatility.js';
import { notNullSteps, nullsLeft } from '../not-null.js';
import { isRefused, knownTable, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function addRequiredColumn(change: ChangeOf<'add-column'>, context: RecipeContext): RecipeResult {
  const c = change.column;
  const fills =
    hasDefault(c) ||
    c.identity !== undefined ||
    c.generated !== undefined ||
    ['serial', 'bigserial', 'smallserial'].includes(c.type.name);
  if (context.isNewTable(change.table) || !c.notNull || fills) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const out = emptyOutput();
  const t = quoteQualified(table);
  const collate = c.collation ? ` COLLATE ${quoteIdent(c.collation)}` : '';
  out.steps.push(
    step(
      context,
      'expand',
      `add-column-${c.name}`,
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${typeSql(c.type)}${collate}`,
      {
        down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${quoteIdent(c.name)}`,
        lockMode: 'ACCESS EXCLUSIVE',
      },
    ),
  );
  out.steps.push(...notNullSteps(context, table, c.name));
  out.checks.push(nullsLeft(table, c.name));
  out.requires.backfill = `the new version writes ${quoteIdent(c.name)} on every insert`;
  out.notes.push(
    `${quoteIdent(c.name)} is nullable until contract: fill existing rows in the backfill (an UPDATE in this migration becomes the backfill)`,
  );
  return out;
}
