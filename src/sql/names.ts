// Names of schema objects as PostgreSQL resolves them, and the one function that
// quotes an identifier for SQL or for a message, and the names PostgreSQL makes up.
import { nodeOf } from './node.js';
import type { PgNode } from './source.js';

/** A possibly schema-qualified name; `schema` is undefined when the SQL did not give one. */
export interface QName {
  schema?: string;
  name: string;
}

export const DEFAULT_SCHEMA = 'public';

/** SQL that holds for the schemas of a database that hold its application's objects (`n` is their
 *  pg_namespace row): not PostgreSQL's own, nor pgphase's bookkeeping. */
export const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgphase') AND n.nspname NOT LIKE 'pg\\_%'`;

/** Quotes an identifier for SQL: always double-quoted, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  // a name without a quote (nearly every one) skips the regular expression: it runs for every name a message shows
  return `"${name.includes('"') ? name.replace(/"/g, '""') : name}"`;
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

/** The start of the qkey of a name without a schema, made once: not a string per key. */
const DEFAULT_PREFIX = `${DEFAULT_SCHEMA}\u0000`;

/** The key under which the schema model stores an object: its schema (default public) and name. */
export function qkey(q: QName): string {
  return q.schema === undefined ? DEFAULT_PREFIX + q.name : `${q.schema}\u0000${q.name}`;
}

/** The qualified name a qkey was made from. */
export function unqkey(key: string): { schema: string; name: string } {
  const [schema, name] = key.split('\u0000') as [string, string];
  return { schema, name };
}

/** A QName from a parser RangeVar node (`{ schemaname, relname }`). */
export function fromRangeVar(rv: { schemaname?: string; relname: string }): QName {
  return rv.schemaname === undefined ? { name: rv.relname } : { schema: rv.schemaname, name: rv.relname };
}

/** A QName from a parser name list (`[{ String: { sval } }, …]`); the last item is the name. */
export function fromNameList(list: Array<{ String?: { sval: string } }>): QName {
  const n = list.length;
  const name = n > 0 ? (list[n - 1]!.String?.sval ?? '') : '';
  return n > 1 ? { schema: list[n - 2]!.String?.sval ?? '', name } : { name };
}

/** The longest start of `name` of at most `bytes` UTF-8 bytes that ends between two characters,
 *  as PostgreSQL cuts names (pg_mbcliplen): never half a character, nor half a surrogate pair. */
export function clipBytes(name: string, bytes: number): string {
  // a UTF-16 unit takes at most 3 bytes in UTF-8: a name that short fits, without encoding it
  if (name.length * 3 <= bytes) return name;
  const encoded = Buffer.from(name);
  if (encoded.length <= bytes) return name;
  let end = bytes;
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.toString('utf8', 0, end);
}

/** PostgreSQL's default constraint/index name: `<table>_<cols>_<suffix>`, cut to 63 bytes (makeObjectName). */
export function defaultName(table: string, columns: string[], suffix: string): string {
  // PostgreSQL stops adding column names once they fill 64 bytes (ChooseIndexNameAddition)
  let cols = '';
  for (let i = 0; i < columns.length; i++) {
    cols += i > 0 ? `_${columns[i]}` : columns[i]!;
    if (Buffer.byteLength(cols) >= 64) break;
  }
  const room = 63 - Buffer.byteLength(suffix) - 1 - (cols ? 1 : 0);
  let t = Buffer.byteLength(table);
  let c = Buffer.byteLength(cols);
  // PostgreSQL counts bytes: it shortens the longer part, the column part on a tie, and only
  // then backs each part off to a character boundary
  while (t + c > room) {
    if (t > c) t--;
    else c--;
  }
  return cols ? `${clipBytes(table, t)}_${clipBytes(cols, c)}_${suffix}` : `${clipBytes(table, t)}_${suffix}`;
}

/** The column name PostgreSQL gives an expression (FigureColname), and how sure it is of it:
 *  2 for a column or function name, 1 for a fallback (a cast's type, `case`, `array`, `row`). */
function expressionName(node: PgNode): [string, number] | undefined {
  const [type, n] = nodeOf(node);
  switch (type) {
    case 'ColumnRef': {
      const last = n.fields[n.fields.length - 1];
      return last.String ? [last.String.sval, 2] : undefined;
    }
    case 'A_Indirection': {
      const field = (n.indirection as PgNode[]).filter((i) => i.String).pop();
      return field ? [field.String.sval, 2] : expressionName(n.arg);
    }
    case 'FuncCall':
      return [n.funcname[n.funcname.length - 1].String.sval, 2];
    case 'A_Expr':
      return n.kind === 'AEXPR_NULLIF' ? ['nullif', 2] : undefined;
    case 'TypeCast': {
      const arg = expressionName(n.arg);
      return arg && arg[1] > 1 ? arg : [n.typeName.names[n.typeName.names.length - 1].String.sval, 1];
    }
    case 'CollateClause':
      return expressionName(n.arg);
    case 'CaseExpr': {
      const otherwise = n.defresult && expressionName(n.defresult);
      return otherwise && otherwise[1] > 1 ? otherwise : ['case', 1];
    }
    case 'CoalesceExpr':
      return ['coalesce', 2];
    case 'MinMaxExpr':
      return [n.op === 'IS_GREATEST' ? 'greatest' : 'least', 2];
    case 'A_ArrayExpr':
      return ['array', 1];
    case 'RowExpr':
      return ['row', 1];
    default:
      return undefined;
  }
}

/** The column names PostgreSQL puts in the name of an unnamed index (ChooseIndexColumnNames), from
 *  its elements (IndexElem nodes, key then INCLUDE): a column's name, an expression's column name
 *  (`lower` for lower(email)) or `expr`; a repeated name gets a number. */
export function indexColumnNames(elements: PgNode[]): string[] {
  const names: string[] = [];
  for (let k = 0; k < elements.length; k++) {
    const e = elements[k]!.IndexElem;
    const base: string = e.name ?? (e.expr && expressionName(e.expr)?.[0]) ?? 'expr';
    let name = base;
    for (let i = 1; names.includes(name); i++) name = `${clipBytes(base, 63 - String(i).length)}${i}`;
    names.push(name);
  }
  return names;
}

export type ConstraintKind = 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclusion' | 'not-null';

/** The constraints that own an index, of the constraint's name. */
export const INDEXED_CONSTRAINTS: ReadonlySet<ConstraintKind> = new Set(['unique', 'primary-key', 'exclusion']);

const SUFFIX: Record<ConstraintKind, string> = {
  'primary-key': 'pkey',
  unique: 'key',
  'foreign-key': 'fkey',
  check: 'check',
  exclusion: 'excl',
  'not-null': 'not_null',
};

/** The name PostgreSQL gives a constraint added without one: `<table>_pkey`, `<table>_<cols>_key`,
 *  `<table>_<cols>_fkey`, and `<table>_<col>_check` for a check on one column, else `<table>_check`. */
export function constraintName(
  table: string,
  spec: { kind: ConstraintKind; name?: string; usingIndex?: string; columns: string[] },
  columns = spec.columns,
): string {
  const given = spec.name ?? spec.usingIndex;
  if (given !== undefined) return given;
  const named = spec.kind === 'primary-key' || (spec.kind === 'check' && columns.length !== 1) ? [] : columns;
  return defaultName(table, named, SUFFIX[spec.kind]);
}
