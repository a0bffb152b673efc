// DROP INDEX → contract, CONCURRENTLY; with CASCADE (what depends on it, a foreign key on a unique
// index, goes too), which CONCURRENTLY does not take, as written.
import type { ChangeOf } from '../../sql/changes.js';
import { DEFAULT_SCHEMA } from '../../sql/names.js';
import { dropIndexSql } from '../index-sql.js';
import { step, type RecipeContext } from '../recipe.js';
import { emptyOutput, type RecipeOutput } from '../types.js';

export function dropIndex(change: ChangeOf<'drop-index'>, context: RecipeContext): RecipeOutput | undefined {
  const table = context.schema.indexTable(change.index);
  // as written (in contract) an index of a partitioned table too, which PostgreSQL cannot drop CONCURRENTLY: the
  // runner's lock_timeout with retries keeps it from queueing
  if (
    change.concurrently ||
    change.cascade ||
    (table && (context.isNewTable(table) || context.schema.isPartitioned(table)))
  )
    return undefined;
  const out = emptyOutput();
  const schema = change.index.schema ?? DEFAULT_SCHEMA;
  out.steps.push(
    step(context, 'contract', `drop-index-${change.index.name}`, dropIndexSql(schema, change.index.name), {
      lockMode: 'SHARE UPDATE EXCLUSIVE',
      transactional: false,
    }),
  );
  return out;
}
