// VACUUM FULL, CLUSTER, SET TABLESPACE, SET [UN]LOGGED and SET ACCESS METHOD rewrite the whole
// table under ACCESS EXCLUSIVE: refused.
import type { ChangeOf } from '../../sql/changes.js';
import { refuse, type RecipeResult } from '../recipe.js';

export function tableRewrite(change: ChangeOf<'table-rewrite'>): RecipeResult {
  return refuse(
    `${change.how.toUpperCase()} rewrites the table under ACCESS EXCLUSIVE; no phase makes that safe`,
    'contract',
  );
}
