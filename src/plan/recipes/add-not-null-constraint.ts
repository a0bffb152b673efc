// PostgreSQL 18's ADD CONSTRAINT … NOT NULL: a SET NOT NULL naming its constraint, planned the
// same way (set-not-null.ts).
import type { ChangeOf } from '../../sql/changes.js';
import type { RecipeContext, RecipeResult } from '../recipe.js';
import { setNotNull } from './set-not-null.js';

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
