// Volatile function calls, by what they change. A column default: since PostgreSQL 11 a
// non-volatile default is stored in the catalog and existing rows read it from there; a
// volatile one is evaluated for every existing row, which rewrites the table (a NULL default is
// no default at all: PostgreSQL stores none). A data change cut into batches: a volatile call
// whose result several rows share is made again in each batch.
import { NON_VOLATILE_BUILTINS, VOLATILE_BUILTINS } from './builtin-volatility.js';
import type { ColumnSpec, Expr } from './changes.js';
import { serialInteger } from './type-change.js';
import type { PgNode } from './source.js';
import { firstIn } from './node.js';

/** Whether an expression is NULL, cast or not (`NULL::int`, `CAST(NULL AS int)`): as a default, that is no default. */
function isNull(node: PgNode): boolean {
  if (node.TypeCast) return isNull(node.TypeCast.arg ?? {});
  return node.A_Const?.isnull === true;
}

/** Whether a column gets a default value other than NULL. */
export function hasDefault(column: Pick<ColumnSpec, 'default'>): column is { default: Expr } {
  return column.default !== undefined && !isNull(column.default.node);
}

/** Whether adding the column fails on a table that has rows: NOT NULL with nothing to fill it (identity,
 *  serial and generated columns fill themselves; a NULL default fills nothing). */
export function needsEmptyTable(column: ColumnSpec): boolean {
  return column.notNull && !hasDefault(column) && !column.identity && !column.generated && !serialInteger(column.type);
}

/** A call to a function that is, or may be, volatile: as shown (`random()`, `app.f()`), and why
 *  (`which is volatile`, for a built-in known to be; else `which is not a built-in function known
 *  to be stable or immutable`). */
export interface VolatileCall {
  call: string;
  why: string;
  known: boolean;
}

/**
 * A call of `funcname` when it is, or may be, volatile. Built-ins are judged by name (pg_catalog
 * comes first on any search_path); a function of another schema, or one PostgreSQL does not
 * ship, may be volatile.
 */
function callVolatility(funcname: PgNode[]): VolatileCall | undefined {
  const parts: string[] = funcname.map((n) => n.String?.sval ?? '');
  const name = parts[parts.length - 1] ?? '';
  const schema = parts[parts.length - 2];
  const builtin = schema === undefined || schema === 'pg_catalog';
  if (builtin && NON_VOLATILE_BUILTINS.has(name)) return undefined;
  const call = `${builtin ? '' : `${schema}.`}${name}()`;
  return builtin && VOLATILE_BUILTINS.has(name)
    ? { call, why: 'which is volatile', known: true }
    : { call, why: 'which is not a built-in function known to be stable or immutable', known: false };
}

/** The parts of a statement whose result its rows share, by their key in the parse tree: a
 *  subquery, a FROM or USING item that is not a table, a WITH query. */
const SHARED = new Set(['SubLink', 'RangeSubselect', 'RangeFunction', 'CommonTableExpr']);

/**
 * The first call under `node` (a parse tree) that is, or may be, volatile. `default`: 'subquery'
 * when a subquery, which could return anything, comes first; `shared`: only a call in a part of
 * a statement whose result its rows share (SHARED), which a statement cut into batches would
 * make again in each batch; `all`: any call.
 */
function firstVolatile(node: unknown, look: 'default' | 'shared' | 'all'): VolatileCall | 'subquery' | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = firstVolatile(n, look);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as PgNode)) {
    if (key === 'FuncCall' && look !== 'shared') {
      const found = callVolatility((value as PgNode).funcname ?? []);
      if (found) return found;
    }
    if (key === 'SubLink' && look === 'default') return 'subquery';
    const found = firstVolatile(value, look === 'shared' && SHARED.has(key) ? 'all' : look);
    if (found) return found;
  }
  return undefined;
}

/** The first call that is, or may be, volatile in a part of a statement whose result its rows
 *  share (a subquery, a FROM or USING item other than a table, a WITH query): a statement cut
 *  into batches would make it again in each batch, for that batch's rows. A call elsewhere is
 *  made for each row, in a batch as in the statement. */
export function sharedVolatileCall(statement: PgNode): VolatileCall | undefined {
  return firstVolatile(statement, 'shared') as VolatileCall | undefined;
}

/** Built-ins whose value is the time a transaction (or statement) started. */
const TRANSACTION_TIME = new Set(['now', 'transaction_timestamp', 'statement_timestamp']);

/** The first reading of the time a transaction started under `node` (`now()`, `CURRENT_TIMESTAMP`,
 *  `CURRENT_DATE` …), as written; a statement cut into batches reads the time each batch started. */
export function transactionTime(node: unknown): string | undefined {
  return firstIn(node, (key, value) => {
    if (key === 'SQLValueFunction')
      return /^SVFOP_(CURRENT_DATE|CURRENT_TIMESTAMP|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME)/.exec(
        String(value.op),
      )?.[1];
    if (key !== 'FuncCall') return undefined;
    const parts: string[] = (value.funcname ?? []).map((n: PgNode) => n.String?.sval ?? '');
    const name = parts.at(-1) ?? '';
    return TRANSACTION_TIME.has(name) && (parts.length === 1 || parts[0] === 'pg_catalog') ? `${name}()` : undefined;
  });
}

/** Why a default is (or may be) evaluated for every existing row, or undefined when it is evaluated once. */
function volatileDefault(node: PgNode): string | undefined {
  const found = firstVolatile(node, 'default');
  if (found === 'subquery') return 'the default runs a subquery, which is taken to be evaluated for every existing row';
  return (
    found &&
    `the default calls ${found.call}, ${found.why}, so it is ${found.known ? '' : 'taken to be '}evaluated for every existing row`
  );
}

/** Why adding this column rewrites the table on `pgVersion`, or undefined when it does not. */
export function addColumnRewrite(column: ColumnSpec, pgVersion: number): string | undefined {
  if (column.generated?.kind === 'stored') return 'a stored generated column is computed for every existing row';
  if (column.identity) return 'an identity column fills every existing row from its sequence';
  if (serialInteger(column.type)) return `${column.type.name} fills every existing row from its sequence`;
  if (!hasDefault(column)) return undefined;
  if (pgVersion < 11) return `before PostgreSQL 11 any default is written into every existing row`;
  return volatileDefault(column.default.node);
}
