// SET of a setting (the runner manages lock_timeout and statement_timeout itself). SET
// search_path is refused: the runner's session would keep it into every later step and phase,
// where generated SQL names schema public. Any other setting is safe as written.
import type { ChangeOf } from '../../sql/changes.js';
import { refuse, type RecipeResult } from '../recipe.js';

export function set(change: ChangeOf<'set'>): RecipeResult {
  if (change.name === 'search_path') {
    return refuse(
      `SET search_path changes the schema that the unqualified names after it refer to; qualify those names (app.orders) and remove the SET`,
      'expand',
    );
  }
  return undefined;
}
