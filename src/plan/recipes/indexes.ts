// Create index → expand, CONCURRENTLY; drop index → contract, CONCURRENTLY.
import type { ChangeOf } from '../../sql/changes.js';
import {
  DEFAULT_SCHEMA,
  defaultName,
  indexColumnNames,
  quoteIdent,
  quoteQualified,
  type QName,
} from '../../sql/names.js';
import { deparse } from '../../sql/rewrite.js';
import type { IndexModel } from '../../schema/model.js';
import { replacementName, step, swapSql, type RecipeContext } from '../recipe.js';
import { emptyOutput, type RecipeOutput } from '../types.js';
import type { PgNode } from '../../sql/source.js';

/** An IndexStmt node of the parse tree. */

/**
 * `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS name ON schema.table …`, printed from an index
 * statement's parse tree: every property it was written with (INCLUDE, WITH, TABLESPACE, NULLS NOT
 * DISTINCT, opclasses, collations, order, WHERE) is kept.
 */
export function concurrentIndexSql(name: string, table: QName, index: PgNode): string {
  // inh: the table and its partitions, as a statement without ONLY
  const relation = { inh: true, ...index.relation, schemaname: table.schema ?? DEFAULT_SCHEMA, relname: table.name };
  return deparse({ IndexStmt: { ...index, idxname: name, relation, concurrent: true, if_not_exists: true } });
}

/** The same from a definition (the schema model's). */
export function createIndexSql(
  name: string,
  table: QName,
  index: Pick<IndexModel, 'unique'> & NonNullable<IndexModel['definition']>,
): string {
  return concurrentIndexSql(name, table, {
    unique: index.unique,
    accessMethod: index.method,
    indexParams: index.elements,
    ...(index.where && { whereClause: index.where.node }),
  });
}

export function dropIndexSql(schema: string, name: string): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified({ schema, name })}`;
}

export function createIndex(change: ChangeOf<'create-index'>, context: RecipeContext): RecipeOutput | undefined {
  // ON ONLY builds nothing (PostgreSQL refuses CONCURRENTLY there): the partitions' indexes are built and attached later
  // (a replacement written CONCURRENTLY still needs its temporary name and swap)
  if ((change.concurrently && !context.replacing) || change.index.only || context.isNewTable(change.index.table))
    return undefined;
  const spec = change.index;
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

export function dropIndex(change: ChangeOf<'drop-index'>, context: RecipeContext): RecipeOutput | undefined {
  const table = context.schema.indexTable(change.index);
  if (change.concurrently || (table && context.isNewTable(table))) return undefined;
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
