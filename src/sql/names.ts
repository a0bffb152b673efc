// Names of schema objects as PostgreSQL resolves them, and the one function that
// quotes an identifier for SQL or for a message, and the names PostgreSQL makes up.

import type { ConstraintSpec } from './changes.js';

/** A possibly schema-qualified name; `schema` is undefined when the SQL did not give one. */
export interface QName {
  schema?: string;
  name: string;
}

export const DEFAULT_SCHEMA = 'public';

/** Quotes an identifier for SQL: always double-quoted, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL: single-quoted, embedded quotes doubled; E'' when it holds a backslash. */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** `"schema"."name"` when a schema was given, else `"name"`. */
export function quoteQName(q: QName): string {
  return q.schema === undefined ? quoteIdent(q.name) : `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

/** `"schema"."name"`, the schema made explicit (public when none was given): generated SQL does not depend on search_path. */
export function quoteQualified(q: QName): string {
  return `${quoteIdent(q.schema ?? DEFAULT_SCHEMA)}.${quoteIdent(q.name)}`;
}

/** The key under which the schema model stores an object: its schema (default public) and name. */
export function qkey(q: QName): string {
  return `${q.schema ?? DEFAULT_SCHEMA}\u0000${q.name}`;
}

/** A QName from a parser RangeVar node (`{ schemaname, relname }`). */
export function fromRangeVar(rv: { schemaname?: string; relname: string }): QName {
  return rv.schemaname === undefined ? { name: rv.relname } : { schema: rv.schemaname, name: rv.relname };
}

/** A QName from a parser name list (`[{ String: { sval } }, …]`); the last item is the name. */
export function fromNameList(list: Array<{ String?: { sval: string } }>): QName {
  const parts = list.map((n) => n.String?.sval ?? '');
  const name = parts[parts.length - 1] ?? '';
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name };
}

/** The longest start of `name` of at most `bytes` UTF-8 bytes that ends between two characters,
 *  as PostgreSQL cuts names (pg_mbcliplen): never half a character, nor half a surrogate pair. */
export function clipBytes(name: string, bytes: number): string {
  const encoded = Buffer.from(name);
  if (encoded.length <= bytes) return name;
  let end = bytes;
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.toString('utf8', 0, end);
}

/** PostgreSQL's default constraint/index name: `<table>_<cols>_<suffix>`, cut to 63 bytes. */
export function defaultName(table: string, columns: string[], suffix: string): string {
  // PostgreSQL stops adding column names once they fill 64 bytes (ChooseIndexNameAddition)
  let cols = '';
  for (const [i, column] of columns.entries()) {
    cols += i > 0 ? `_${column}` : column;
    if (Buffer.byteLength(cols) >= 64) break;
  }
  const room = 63 - suffix.length - 1;
  let t = table;
  let c = cols;
  // PostgreSQL shortens the longer of the two parts first
  while (Buffer.byteLength(t) + (c ? Buffer.byteLength(c) + 1 : 0) > room) {
    if (Buffer.byteLength(t) >= Buffer.byteLength(c)) t = clipBytes(t, Buffer.byteLength(t) - 1);
    else c = clipBytes(c, Buffer.byteLength(c) - 1);
  }
  return c ? `${t}_${c}_${suffix}` : `${t}_${suffix}`;
}

const SUFFIX: Record<ConstraintSpec['kind'], string> = {
  'primary-key': 'pkey',
  unique: 'key',
  'foreign-key': 'fkey',
  check: 'check',
  exclusion: 'excl',
  'not-null': 'not_null',
};

/** The name PostgreSQL gives a constraint added without one: `<table>_pkey`, `<table>_<cols>_key`,
 *  `<table>_<cols>_fkey`, and `<table>_<col>_check` for a check on one column, else `<table>_check`. */
export function constraintName(table: string, spec: ConstraintSpec, columns = spec.columns): string {
  const given = spec.name ?? spec.usingIndex;
  if (given !== undefined) return given;
  const named = spec.kind === 'primary-key' || (spec.kind === 'check' && columns.length !== 1) ? [] : columns;
  return defaultName(table, named, SUFFIX[spec.kind]);
}
