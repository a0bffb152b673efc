// Names of schema objects as PostgreSQL resolves them, and the one function that
// quotes an identifier for SQL or for a message.

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
