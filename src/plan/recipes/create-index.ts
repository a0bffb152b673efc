// CREATE INDEX → expand, CONCURRENTLY. Replacing an index of the same name, the new one is
// built under a temporary name and swapped in in contract.
import type { ChangeOf } from '../../sql/changes.js';
import { DEFAULT_SCHEMA, defaultName, indexColumnNames, quoteIdent, quoteQualified } from '../../sql/names.js';
import type { PgNode } from '../../sql/source.js';
import { concurrentIndexSql, dropIndexSql } from '../index-sql.js';
import { PARTITIONED_INDEX_HELP } from '../../schema/model.js';
import { refuse, replacementName, step, swapSql, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function createIndex(change: ChangeOf<'create-index'>, context: RecipeContext): RecipeResult {
  // ON ONLY builds nothing (PostgreSQL refuses CONCURRENTLY there): the partitions' indexes are built and attached later
  // (a replacement written CONCURRENTLY still needs its temporary name and swap)
  if ((change.concurrently && !context.replacing) || change.index.only || context.isNewTable(change.index.table))
    return undefined;
  const spec = change.index;
  if (context.schema.isPartitioned(spec.table))
    return refuse(
      `${quoteQualified(spec.table)} is partitioned, and PostgreSQL builds no index of a partitioned table CONCURRENTLY: ${PARTITIONED_INDEX_HELP}`,
      'expand',
    );
  const index = context.statement.node.IndexStmt as PgNode;
  // PostgreSQL names an unnamed index after its key and INCLUDE columns
  const name = spec.name ?? defaultName(spec.table.name, indexColumnNames([...spec.elements, ...spec.include]), 'idx');
  const schema = spec.table.schema ?? DEFAULT_SCHEMA;
  const out = emptyOutput();
  // replacing an index of the same name: built under another name, swapped in in contract
  const build = context.replacing ? replacementName(name) : name;
  out.steps.push(
    step(context, 'expand', `create-index-${build}`, concurrentIndexSql(build, spec.table, index), {
      down: dropIndexSql(schema, build),
      lockMode: 'SHARE UPDATE EXCLUSIVE',
      transactional: false,
    }),
  );
  if (context.replacing) {
    const rename = `ALTER INDEX ${quoteQualified({ schema, name: build })} RENAME TO ${quoteIdent(name)}`;
    out.steps.push(
      step(context, 'contract', `swap-index-${name}`, swapSql(context.replacing, rename), {
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    );
  }
  return out;
}
