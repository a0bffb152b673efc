// SET NOT NULL without the long scan: a CHECK (col IS NOT NULL) added NOT VALID, validated
// under SHARE UPDATE EXCLUSIVE, then SET NOT NULL (PostgreSQL 12+ trusts the check) and
// the check dropped. It goes in contract: only then can no running version write NULL.
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import type { TableModel } from '../../schema/model.js';
import { hasDefault } from '../../sql/volatility.js';
import { isRefused, knownTable, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { derivedName } from '../sql.js';
import { typeSql } from '../../sql/normalize.js';
import { emptyOutput, type Step } from '../types.js';

/**
 * The three steps; `finalName` when the column is renamed between the check and SET NOT NULL;
 * `constraint` names the NOT NULL constraint (PostgreSQL 18's ADD CONSTRAINT … NOT NULL).
 */
export function notNullSteps(
  context: RecipeContext,
  table: TableModel,
  column: string,
  finalName = column,
  constraint?: string,
): Step[] {
  const t = quoteQualified(table);
  // not <table>_<column>_not_null: PostgreSQL 18 gives that name to the NOT NULL constraint itself
  const check = quoteIdent(derivedName(`${table.name}_${column}`, 'not_null_check'));
  const set =
    constraint === undefined
      ? `ALTER COLUMN ${quoteIdent(finalName)} SET NOT NULL`
      : `ADD CONSTRAINT ${quoteIdent(constraint)} NOT NULL ${quoteIdent(finalName)}`;
  return [
    step(
      context,
      'contract',
      `not-null-check-${column}`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID`,
      { lockMode: 'ACCESS EXCLUSIVE' },
    ),
    step(context, 'contract', `not-null-validate-${column}`, `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check}`, {
      lockMode: 'SHARE UPDATE EXCLUSIVE',
    }),
    // two statements: in one, PostgreSQL drops the check before SET NOT NULL could trust it, and scans
    step(
      context,
      'contract',
      `not-null-set-${column}`,
      `ALTER TABLE ${t} ${set};\nALTER TABLE ${t} DROP CONSTRAINT ${check}`,
      { lockMode: 'ACCESS EXCLUSIVE' },
    ),
  ];
}

/** SQL returning a row while the column still holds NULL (that the fill `where`, if given, would not reach): the contract's check. */
export function nullsLeft(table: TableModel, column: string, where?: string): string {
  return `SELECT 1 FROM ${quoteQualified(table)} WHERE ${quoteIdent(column)} IS NULL${where ? ` AND (${where}) IS NOT TRUE` : ''} LIMIT 1`;
}

/** PostgreSQL 18's ADD CONSTRAINT … NOT NULL: a SET NOT NULL naming its constraint, planned the same way. */
export function addNotNullConstraint(change: ChangeOf<'add-constraint'>, context: RecipeContext): RecipeResult {
  const { columns, notValid, name } = change.constraint;
  // NOT VALID checks no row (VALIDATE CONSTRAINT does, under SHARE UPDATE EXCLUSIVE): safe as written
  if (notValid || columns.length !== 1) return undefined;
  return setNotNull(
    { statement: change.statement, table: change.table, kind: 'set-not-null', column: columns[0]! },
    context,
    name,
  );
}

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

/** ADD COLUMN … NOT NULL without a default: nullable in expand, NOT NULL in contract once filled. */
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
