// ADD COLUMN on an existing table. A volatile default (gen_random_uuid(), clock_timestamp())
// would be evaluated for every existing row under ACCESS EXCLUSIVE: the column is added
// without it, the default set for new rows only, and existing rows are filled in batches.
// A required column without a default goes through not-null.ts.
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse } from '../../sql/rewrite.js';
import { addColumnRewrite } from '../../sql/volatility.js';
import { knownTable, step, UnsafeChange, type RecipeContext } from '../recipe.js';
import { typeSql } from '../../sql/normalize.js';
import { emptyOutput, type RecipeOutput } from '../types.js';
import { addRequiredColumn, notNullSteps, nullsLeft } from './not-null.js';

export function addColumn(change: ChangeOf<'add-column'>, context: RecipeContext): RecipeOutput | undefined {
  if (context.isNewTable(change.table)) return undefined;
  const c = change.column;
  // written on the column, a constraint is built (an index) or checked (a scan) under the ADD COLUMN's lock
  if (c.constraints.some((k) => k.kind !== 'not-null')) {
    throw new UnsafeChange(
      `the constraint written on new column ${quoteIdent(c.name)} (a CHECK, UNIQUE, PRIMARY KEY or REFERENCES) is built or checked under ACCESS EXCLUSIVE; add the column, then the constraint in an ALTER TABLE … ADD CONSTRAINT of its own, which the plan builds without blocking`,
      'expand',
    );
  }
  const rewrite = addColumnRewrite(c, context.pgVersion);
  if (!rewrite) return addRequiredColumn(change, context);
  if (!c.default) throw new UnsafeChange(`adding ${quoteIdent(c.name)} rewrites the table (${rewrite}); add a plain column and fill it instead`, 'expand');
  const table = knownTable(context, change.table);
  const key = context.schema.rowKey(table);
  if (!key) throw new UnsafeChange(`${quoteQualified(table)} has no primary key or unique NOT NULL key to backfill by`, 'backfill');
  const t = quoteQualified(table);
  const q = quoteIdent(c.name);
  const value = deparse(c.default.node);
  const collate = c.collation ? ` COLLATE ${quoteIdent(c.collation)}` : '';
  const out = emptyOutput();
  out.steps.push(
    step(context, 'expand', `add-column-${c.name}`, `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${q} ${typeSql(c.type)}${collate}`, {
      down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${q}`,
      lockMode: 'ACCESS EXCLUSIVE',
    }),
    step(context, 'expand', `default-${c.name}`, `ALTER TABLE ${t} ALTER COLUMN ${q} SET DEFAULT ${value}`, {
      down: `ALTER TABLE ${t} ALTER COLUMN ${q} DROP DEFAULT`,
      lockMode: 'ACCESS EXCLUSIVE',
    }),
  );
  out.backfills.push({ table: { schema: table.schema, name: table.name }, key, set: `${q} = ${value}`, where: `${q} IS NULL`, reversible: true });
  if (c.notNull) {
    out.steps.push(...notNullSteps(context, table, c.name));
    out.checks.push(nullsLeft(table, c.name));
  }
  out.notes.push(`${q} gets its default for new rows in expand; existing rows are filled by the backfill, not by a table rewrite`);
  return out;
}
