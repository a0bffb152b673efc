// SET NOT NULL without the long scan: a CHECK (col IS NOT NULL) added NOT VALID, validated
// under SHARE UPDATE EXCLUSIVE, then SET NOT NULL (PostgreSQL 12+ trusts the check) and
// the check dropped. It goes in contract: only then can no running version write NULL.
import { quoteIdent, quoteQualified } from '../sql/names.js';
import type { TableModel } from '../schema/model.js';
import { step, type RecipeContext } from './recipe.js';
import { derivedName } from './sql.js';
import type { Step } from './types.js';

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
