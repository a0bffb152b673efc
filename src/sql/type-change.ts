// What an `ALTER COLUMN … TYPE` costs (catalog only, or a rewrite of the table and its
// indexes under ACCESS EXCLUSIVE) and what it means for existing values and for the
// application version still running. test/sql/type-change.test.ts establishes every
// entry on real PostgreSQL (pg_class.relfilenode before and after the change).
import type { Change, Expr, TypeRef } from './changes.js';
import { qkey, type QName } from './names.js';
import { typeRef, withDisplay } from './normalize.js';
import type { PgNode } from './source.js';

/** free: catalog only; scan: checks every row under ACCESS EXCLUSIVE but keeps the files; rewrite: rewrites table and indexes under ACCESS EXCLUSIVE. */
export type TypeChangeCost = 'free' | 'scan' | 'rewrite';

export interface TypeChangeAnalysis {
  cost: TypeChangeCost;
  /** Some existing values may not fit or change meaning (varchar(n)→varchar(m<n), int8→int4, numeric scale or integer digits down, text→varchar(n), timestamptz→timestamp, inet→cidr, json→jsonb, …). */
  narrowing: boolean;
  /**
   * The previous application version keeps working: its INSERTs and UPDATEs with parameters of the
   * old type succeed, its comparisons and orderings against such parameters pick the same rows, and
   * every value it reads, decoded by the driver by its type, is the value it wrote (varchar(n)→
   * varchar(m≥n)/text, int2→int4→int8, numeric precision up at the same scale, timestamp→timestamptz
   * in the application's time zone, the same type). A driver may hand a value over as another host
   * type (bigint as a string, timestamptz as an aware time).
   */
  tolerated: boolean;
  /** One short reason for messages, e.g. "integer → bigint rewrites the table and its indexes". */
  reason: string;
  /** A `rewrite` that keeps the table and rebuilds only the column's indexes (the session TimeZone is UTC). */
  keepsTable?: true;
}

export interface TypeChangeOptions {
  /**
   * The USING clause. PostgreSQL decides on the planned expression, not on the clause: a USING
   * that only names the column, or casts it to the old or the new type, rewrites no more than
   * no USING. Pass the expression (and `column`) to get that; `true` counts as any other USING.
   */
  using?: boolean | Expr;
  /** The altered column, to recognise a USING that only names it. */
  column?: string;
  pgVersion: number;
  /** The known enum types, by bare name or by the schema model's key (`qkey`); the model's Map fits. */
  enums?: Pick<ReadonlySet<string>, 'has'>;
  /** The session TimeZone is a fixed zero offset (a `SET timezone = 'UTC'` before the change), and whether an
   *  index covers the column: a timestamp ↔ timestamptz change then keeps the table on PostgreSQL ≥ 12, and
   *  only changes the catalog where no index covers the column (one that does is rebuilt, reading every row). */
  utc?: 'indexed' | 'unindexed';
}

/** What the type pair alone implies; the cost before USING and arrays are considered. */
interface Verdict {
  cost: 'free' | 'rewrite';
  narrowing: boolean;
  tolerated: boolean;
  /** What happens to existing values that do not fit, for the reason. */
  narrows?: string;
  /** Set on the pair pgphase does not know. */
  unknown?: true;
}

const FREE: Verdict = { cost: 'free', narrowing: false, tolerated: true };
/** A rewrite every value survives, but the running version notices (other output, operators or ordering). */
const CONVERTS: Verdict = { cost: 'rewrite', narrowing: false, tolerated: false };
const lossy = (why: string): Verdict => ({ cost: 'rewrite', narrowing: true, tolerated: false, narrows: why });

/**
 * Types whose modifier is a length or a fractional-second precision, with the limit a missing
 * modifier means. Their length-coercion support functions drop the coercion when the limit does
 * not shrink, so PostgreSQL leaves the rows alone; a smaller limit rewrites and rejects or rounds.
 */
const LIMITS: Record<string, { max: number; narrows: string }> = {
  varchar: { max: Infinity, narrows: 'longer values fail' },
  varbit: { max: Infinity, narrows: 'longer values fail' },
  time: { max: 6, narrows: 'fractional seconds are rounded' },
  timetz: { max: 6, narrows: 'fractional seconds are rounded' },
  timestamp: { max: 6, narrows: 'fractional seconds are rounded' },
  timestamptz: { max: 6, narrows: 'fractional seconds are rounded' },
};

const INT_BYTES: Record<string, number> = { int2: 2, int4: 4, int8: 8 };
/** Decimal digits the largest value of each integer type has, against numeric(p,s)'s p − s. */
const INT_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };
const STRINGS: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar']);

/** serial, bigserial and smallserial are not types: a column declared so gets the integer type (and a sequence default). */
const SERIAL_INTEGERS: Record<string, string> = { smallserial: 'int2', serial: 'int4', bigserial: 'int8' };

/** The integer type a column declared `serial`, `bigserial` or `smallserial` has; undefined for any other type. */
export function serialInteger(type: TypeRef): TypeRef | undefined {
  const integer = type.schema === undefined ? SERIAL_INTEGERS[type.name] : undefined;
  return integer === undefined ? undefined : withDisplay({ ...type, name: integer });
}

/** Fixed pairs, keyed `from>to`. Each is a conversion function or I/O except cidr→inet (binary-coercible). */
const PAIRS: Record<string, Verdict> = {
  // inet prints a /32 (/128) cidr value without its mask, and accepts host bits the old version was refused
  'cidr>inet': { cost: 'free', narrowing: false, tolerated: false },
  'inet>cidr': lossy('bits right of the netmask are zeroed'),
  'json>jsonb': lossy('duplicate keys are dropped and \\u0000 fails'),
  // json has no equality, ordering or containment operators
  'jsonb>json': CONVERTS,
  'float4>float8': CONVERTS,
  'float8>float4': lossy('digits beyond real precision are lost'),
  // existing values are read as wall-clock time of the session TimeZone; old-version writes and
  // comparisons with timestamp parameters convert the same way, so it reads back the instants it wrote
  'timestamp>timestamptz': { ...CONVERTS, tolerated: true },
  'timestamptz>timestamp': lossy('values become wall-clock time of the session TimeZone'),
};

/** Pairs whose conversion skips the table rewrite (not the index rebuild) when the session TimeZone is UTC on PostgreSQL ≥ 12. */
const UTC_SKIPS_REWRITE: ReadonlySet<string> = new Set(['timestamp>timestamptz', 'timestamptz>timestamp']);

function mod(t: TypeRef, i: number): number | undefined {
  const v = t.mods[i];
  return typeof v === 'number' ? v : undefined;
}

/** Same base type; a schema given on one side only is taken to be the one the other resolves to. */
function sameName(a: TypeRef, b: TypeRef): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

function sameType(a: TypeRef, b: TypeRef): boolean {
  return sameName(a, b) && a.array === b.array && a.mods.join() === b.mods.join();
}

/** The length of a string type; text, varchar and bpchar without a modifier are unlimited. */
function length(t: TypeRef): number {
  return t.name === 'text' ? Infinity : (mod(t, 0) ?? Infinity);
}

/** numeric's precision and scale, undefined when unconstrained. */
function numeric(t: TypeRef): { p: number; s: number } | undefined {
  const p = mod(t, 0);
  return p === undefined ? undefined : { p, s: mod(t, 1) ?? 0 };
}

function isEnum(t: TypeRef, enums: TypeChangeOptions['enums']): boolean {
  return enums !== undefined && (enums.has(qkey(t)) || (t.schema === undefined && enums.has(t.name)));
}

/** The verdict for two element types (array or not), or undefined when pgphase does not know the pair. */
function verdict(from: TypeRef, to: TypeRef, enums: TypeChangeOptions['enums']): Verdict | undefined {
  if (sameType({ ...from, array: false }, { ...to, array: false })) return FREE;
  // text is varchar without a limit: the two are binary-coercible
  const limited = (t: TypeRef) => (t.name === 'text' ? { ...t, name: 'varchar', mods: [] } : t);
  const [lf, lt] = [limited(from), limited(to)];
  const limit = LIMITS[lf.name];
  if (limit && sameName(lf, lt))
    return (mod(lt, 0) ?? limit.max) >= (mod(lf, 0) ?? limit.max) ? FREE : lossy(limit.narrows);
  // char(n) pads to n and drops trailing spaces on the way out: a rewrite, and the old version reads other strings
  if (STRINGS.has(from.name) && STRINGS.has(to.name))
    return length(to) < length(from) ? lossy('longer values fail') : CONVERTS;
  const [fi, ti] = [INT_BYTES[from.name], INT_BYTES[to.name]];
  if (fi !== undefined && ti !== undefined)
    return ti < fi ? lossy('values outside the range fail') : { ...CONVERTS, tolerated: true };
  if (from.name === 'numeric' && to.name === 'numeric') {
    const [f, t] = [numeric(from), numeric(to)];
    // PostgreSQL's numeric support function skips the rows when the scale stays and the precision does not shrink
    if (t === undefined || (f !== undefined && t.s === f.s && t.p >= f.p)) return FREE;
    if (f === undefined || t.s < f.s || t.p - t.s < f.p - f.s) return lossy('values are rounded or fail');
    // more decimals: every value fits, but prints with more zeros
    return CONVERTS;
  }
  if (fi !== undefined && to.name === 'numeric') {
    const t = numeric(to);
    // numeric arithmetic differs for the old version's queries: 7 / 2 is 3.5, not 3
    return t !== undefined && t.p - t.s < INT_DIGITS[from.name]! ? lossy('values outside the range fail') : CONVERTS;
  }
  if (from.name === 'numeric' && ti !== undefined) return lossy('fractions are rounded and large values fail');
  const pair = PAIRS[`${from.name}>${to.name}`];
  if (pair && from.schema === undefined && to.schema === undefined) return pair;
  if (STRINGS.has(from.name) && isEnum(to, enums)) return lossy('values that are not labels fail');
  // every value has a text form; the old version loses the type's operators and ordering
  if (to.name === 'text' || (to.name === 'varchar' && to.mods.length === 0)) return CONVERTS;
  return undefined;
}

/** Whether a USING expression is the column itself, or the column cast to the old or the new type. */
function onlyNamesColumn(using: Expr, column: string, from: TypeRef, to: TypeRef): boolean {
  const isColumn = (node: PgNode | undefined) => {
    const fields: Array<PgNode> | undefined = node?.ColumnRef?.fields;
    return fields !== undefined && fields[fields.length - 1]?.String?.sval === column;
  };
  if (isColumn(using.node)) return true;
  const cast = using.node.TypeCast;
  if (!cast || !isColumn(cast.arg) || !cast.typeName) return false;
  const target = typeRef(cast.typeName);
  return sameType(target, from) || sameType(target, to);
}

/** What changing a column from `from` to `to` costs and means for existing values and the running version. */
export function analyzeTypeChange(
  declaredFrom: TypeRef,
  declaredTo: TypeRef,
  options: TypeChangeOptions,
): TypeChangeAnalysis {
  const [from, to] = [serialInteger(declaredFrom) ?? declaredFrom, serialInteger(declaredTo) ?? declaredTo];
  const v: Verdict = (from.array === to.array && verdict(from, to, options.enums)) || { ...CONVERTS, unknown: true };
  // a changed array element type (even a binary-coercible one) goes through an element-by-element
  // conversion, which PostgreSQL always rewrites; only dropping the modifier is free
  const arrayConverts = from.array && !sameType(from, to) && !(sameName(from, to) && to.mods.length === 0);
  const { using, column } = options;
  const usingRewrites =
    !!using && !(typeof using === 'object' && column !== undefined && onlyNamesColumn(using, column, from, to));
  // PostgreSQL ≥ 12 keeps the table (not the column's indexes) when the session TimeZone has a fixed zero offset
  const utcKeepsTable = !from.array && options.pgVersion >= 12 && UTC_SKIPS_REWRITE.has(`${from.name}>${to.name}`);
  const catalogOnly = v.cost === 'free' || (utcKeepsTable && options.utc === 'unindexed');
  const cost: TypeChangeCost = catalogOnly && !arrayConverts && !usingRewrites ? 'free' : 'rewrite';
  const keepsTable = cost === 'rewrite' && utcKeepsTable && !usingRewrites && options.utc === 'indexed';
  let how = 'rewrites the table and its indexes';
  if (cost === 'free') how = `only changes the catalog${v.cost === 'free' ? '' : ': the session TimeZone is UTC'}`;
  else if (usingRewrites) how = `with USING ${how}`;
  else if (v.unknown) how = `is not a change pgphase knows, so it is taken to rewrite the table and its indexes`;
  else if (keepsTable) how = 'keeps the table, the session TimeZone being UTC, but rebuilds its indexes on the column';
  else if (utcKeepsTable) how = `${how} unless the session TimeZone is UTC`;
  // arrays of another element type have no equality with the old version's array parameters (bigint[] = integer[])
  const tolerated = v.tolerated && !(from.array && !sameName(from, to));
  return {
    cost,
    narrowing: v.narrowing,
    tolerated,
    reason: `${from.display} → ${to.display} ${how}${v.narrows ? `; ${v.narrows}` : ''}`,
    ...(keepsTable && { keepsTable }),
  };
}

/** A column type change against the schema model: the column's old type and the analysis, or undefined when the old type is unknown. */
export function analyzeAlter(
  change: Extract<Change, { kind: 'alter-column-type' }>,
  schema: {
    column(table: QName, column: string): { type: TypeRef } | undefined;
    tableIndexes(table: QName): ReadonlyArray<{ columns: ReadonlyArray<string | null>; partial: boolean }>;
    enums: Pick<ReadonlySet<string>, 'has'>;
  },
  pgVersion: number,
  utcSession = false,
): { from: TypeRef; analysis: TypeChangeAnalysis } | undefined {
  const old = schema.column(change.table, change.column);
  if (!old) return undefined;
  // an expression or a predicate may read the column too
  const indexed = () =>
    schema
      .tableIndexes(change.table)
      .some((i) => i.partial || i.columns.some((c) => c === null || c === change.column));
  return {
    from: old.type,
    analysis: analyzeTypeChange(old.type, change.type, {
      using: change.using,
      column: change.column,
      pgVersion,
      enums: schema.enums,
      ...(utcSession && { utc: indexed() ? 'indexed' : 'unindexed' }),
    }),
  };
}
