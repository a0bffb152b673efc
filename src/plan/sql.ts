// Names of the objects a plan creates or builds, and SQL a plan writes in more than one place.
import { createHash } from 'node:crypto';
import type { TypeRef } from '../sql/changes.js';
import { typeRef } from '../sql/normalize.js';
import { quoteQualified } from '../sql/names.js';
import { qualifiedNextval } from '../sql/canonical.js';
import { deparse } from '../sql/rewrite.js';
import { type PgNode, parseSource } from '../sql/source.js';

/**
 * A name derived from `base` for an object pgphase creates, at most 63 bytes: when
 * `base_suffix` is too long, base is cut and a short hash of the full name keeps it unique.
 */
export function derivedName(base: string, suffix: string): string {
  const full = `${base}_${suffix}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  let cut = base;
  while (Buffer.byteLength(`${cut}_${hash}_${suffix}`) > 63) cut = cut.slice(0, -1);
  return `${cut}_${hash}_${suffix}`;
}

/** The index a `CREATE INDEX CONCURRENTLY` step builds, quoted and schema-qualified; undefined for other SQL. */
export function concurrentIndex(sql: string): string | undefined {
  const stmt = parseSource('step', sql).statements[0]?.node.IndexStmt as
    | { idxname?: string; concurrent?: boolean; relation?: { schemaname?: string } }
    | undefined;
  if (!stmt?.idxname || !stmt.concurrent) return undefined;
  return quoteQualified({
    ...(stmt.relation?.schemaname !== undefined && { schema: stmt.relation.schemaname }),
    name: stmt.idxname,
  });
}

/**
 * A default as SQL, a string constant cast to the column's own type printed without the cast:
 * PostgreSQL prints `'x'::text` where the migration wrote `'x'`, and a plan must not depend on
 * whether the schema came from the history or the live database (which prints a sequence's name
 * without its schema too).
 */
export function defaultSql(node: PgNode, type: TypeRef): string {
  if (node.FuncCall) return deparse(qualifiedNextval(node) ?? node);
  const cast = node.TypeCast;
  if (cast?.arg?.A_Const?.sval !== undefined) {
    const to = typeRef(cast.typeName);
    if (to.name === type.name && to.schema === type.schema && to.array === type.array && to.mods.length === 0)
      return deparse(cast.arg);
  }
  return deparse(node);
}
