// Names of the objects a plan creates or builds.
import { createHash } from 'node:crypto';
import { quoteQualified } from '../sql/names.js';
import { parseSource } from '../sql/source.js';

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
  const stmt = parseSource('step', sql).statements[0]?.node.IndexStmt as { idxname?: string; concurrent?: boolean; relation?: { schemaname?: string } } | undefined;
  if (!stmt?.idxname || !stmt.concurrent) return undefined;
  return quoteQualified({ ...(stmt.relation?.schemaname !== undefined && { schema: stmt.relation.schemaname }), name: stmt.idxname });
}
