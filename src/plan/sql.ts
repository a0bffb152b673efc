// SQL the planner generates: types, names and statement pieces. Identifiers always go
// through quoteIdent (src/sql/names.ts), literals through quoteLiteral.
import { createHash } from 'node:crypto';
import type { TypeRef } from '../sql/changes.js';
import { quoteIdent } from '../sql/names.js';

/** Built-in types written without quotes, by canonical name. */
const BUILTIN_SQL: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  timestamp: 'timestamp',
  timestamptz: 'timestamp with time zone',
  time: 'time',
  timetz: 'time with time zone',
  // serial types are integer columns with a sequence default; a copy gets the integer type
  serial: 'integer',
  bigserial: 'bigint',
  smallserial: 'smallint',
};

const PLAIN_BUILTINS = new Set(['text', 'numeric', 'date', 'uuid', 'json', 'jsonb', 'bytea', 'inet', 'cidr', 'macaddr', 'interval', 'money', 'xml', 'tsvector', 'oid', 'point', 'bit', 'varbit', 'citext']);

/** A column type as SQL: `character varying(20)`, `bigint[]`, `"app"."mood"`. */
export function typeSql(type: TypeRef): string {
  const mods = type.mods.length ? `(${type.mods.map(String).join(', ')})` : '';
  const array = type.array ? '[]' : '';
  const time = /^time(stamp)?(tz)?$/.exec(type.name);
  if (time && mods) {
    // the precision goes after "timestamp", before "with time zone"
    return `${time[1] ? 'timestamp' : 'time'}${mods}${time[2] ? ' with time zone' : ''}${array}`;
  }
  const builtin = type.schema === undefined ? (BUILTIN_SQL[type.name] ?? (PLAIN_BUILTINS.has(type.name) ? type.name : undefined)) : undefined;
  const name = builtin ?? (type.schema === undefined ? quoteIdent(type.name) : `${quoteIdent(type.schema)}.${quoteIdent(type.name)}`);
  return `${name}${mods}${array}`;
}

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
