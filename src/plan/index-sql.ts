// The SQL of the indexes a plan builds and drops: CONCURRENTLY, which lets reads and writes go on.
import { DEFAULT_SCHEMA, quoteQualified, type QName } from '../sql/names.js';
import { deparse } from '../sql/rewrite.js';
import type { IndexModel } from '../schema/model.js';
import type { PgNode } from '../sql/source.js';

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
