// The queries of an application version, generated from its schema: for every table the
// migration touches, an INSERT of every column it can write (returning the row's key), an
// INSERT of only the columns it must write, an UPDATE of that row's columns and a SELECT that
// finds the row holding what the UPDATE wrote. A proof runs them at each phase, as the old
// version (V) and the new one (V+1) would, in a transaction it rolls back: they leave no row
// behind, and a failure names the query and PostgreSQL's error.
import type pg from 'pg';
import { quoteIdent, quoteQualified } from '../sql/names.js';
import {
  generated,
  isWhole,
  TWIN,
  ungenerated,
  referencedRow,
  widestFirst,
  type Column,
  type ForeignKey,
  type Table,
} from './rows.js';

export interface AppQuery {
  sql: string;
  params: string[];
  /** It returns the row's key, which the queries after it of its table take as their first parameters. */
  returnsKey?: true;
  /** It needs the key the table's first query returned. */
  usesKey?: true;
}

/** An application version's queries, per table (by its label); what it cannot write is named in `skipped`. */
export interface AppQueries {
  name: string;
  tables: Array<{ table: string; queries: AppQuery[] }>;
  skipped: string[];
}

/** Row numbers of the generated values: after the generated rows' and their twin's (src/shadow/rows.ts). */
const FULL = TWIN + 1;
const MINIMAL = TWIN + 2;
const UPDATED = TWIN + 3;

/** What an application writes into one column: a parameter, or for a foreign key a subquery for a row it references. */
type Written = { column: string; param: string } | { column: string; sql: string };

/** The subquery each column of a foreign key writes in the version's k-th row: a row of the table the key
 *  references (the k-th of them, round: two writes reference two rows where there are, as a unique index
 *  on the key would have them) that agrees with the keys before it (`widestFirst`); a key whose columns
 *  are all taken adds nothing. */
function referencing(table: Table, k: number): Map<string, string> {
  const sql = new Map<string, string>();
  for (const fk of widestFirst(table.foreignKeys)) {
    const agreed = fk.columns.flatMap((column, i) => (sql.has(column) ? [[i, sql.get(column)!] as const] : []));
    for (const [i, column] of fk.columns.entries())
      if (!sql.has(column)) sql.set(column, `(${referencedRow(fk, quoteIdent(fk.references[i]!), String(k), agreed)})`);
  }
  return sql;
}

function written(
  references: Map<string, string>,
  column: Column,
  k: number,
  like: Column,
  above: Map<string, bigint> | undefined,
): Written | undefined {
  const sql = references.get(column.name);
  if (sql !== undefined) return { column: column.name, sql };
  const v = generated(like, k, above);
  return v === undefined ? undefined : { column: column.name, param: v };
}

/** `values` as SQL expressions: each parameter appended to `params` and numbered by its place there. */
function expressions(values: Written[], params: string[]): string[] {
  return values.map((w) => {
    if ('sql' in w) return w.sql;
    params.push(w.param);
    return `$${params.length}`;
  });
}

/**
 * Of a column both versions have with different types, the one whose generated values the
 * other type takes too: not a string type (any literal is a string), else, of two numbers, a
 * whole one. Undefined for types of two other kinds (a timestamp made a boolean): no generated
 * value is both.
 */
function narrower(mine: Column, theirs: Column | undefined): Column | undefined {
  if (theirs === undefined || theirs.type === mine.type || theirs.category === 'S') return mine;
  if (mine.category === 'S') return theirs;
  if (mine.category !== theirs.category) return undefined;
  return isWhole(theirs) ? theirs : mine;
}

/**
 * The queries of the version whose schema `own` is, on the tables `touched` labels. During
 * the overlap each version writes what the other's schema (`other`) takes too (RECIPES.md): a
 * column that either version references a row by gets a row that exists (V satisfies a foreign
 * key the plan adds NOT VALID in expand; V+1 one the migration drops, still checked until
 * contract), and a column whose type the migration changes a value both types take (the
 * trigger converts V's writes; V+1 tolerates both types). Whole numbers go above `highest`
 * (per table: see rows.ts), clear of the history's rows.
 */
export function appQueries(
  name: string,
  own: Table[],
  touched: Set<string>,
  other: Table[] = [],
  highest = new Map<string, Map<string, bigint>>(),
): AppQueries {
  const others = new Map(other.map((t) => [t.label, t]));
  const out: AppQueries = { name, tables: [], skipped: [] };
  for (const mine of own.filter((t) => touched.has(t.label))) {
    const missing = ungenerated(mine);
    if (missing) {
      out.skipped.push(`${name}: ${mine.label}: no generated value for ${missing.name} (${missing.type})`);
      continue;
    }
    const theirs = others.get(mine.label);
    // the other version's keys on columns this one has, those it lacks (they may share columns with its own: `referencing`)
    const has = new Set(mine.columns.map((c) => c.name));
    const same = (a: ForeignKey, b: ForeignKey) =>
      a.schema === b.schema &&
      a.table === b.table &&
      a.columns.join('\0') === b.columns.join('\0') &&
      a.references.join('\0') === b.references.join('\0');
    const borrowed = (theirs?.foreignKeys ?? []).filter(
      (fk) => fk.columns.every((c) => has.has(c)) && !mine.foreignKeys.some((own) => same(own, fk)),
    );
    const table = { ...mine, foreignKeys: [...mine.foreignKeys, ...borrowed] };
    const other = (c: Column) => theirs?.columns.find((x) => x.name === c.name);
    // a column whose type the migration changes to one of another kind: the version leaves it out of its writes
    const unshared = table.columns.filter((c) => narrower(c, other(c)) === undefined);
    const why = (c: Column) => `${mine.label}.${c.name}: no generated value is both ${c.type} and ${other(c)!.type}`;
    const required = unshared.find((c) => c.notNull && c.fill === null);
    if (required) {
      out.skipped.push(`${name}: ${why(required)}: not run`);
      continue;
    }
    out.skipped.push(...unshared.map((c) => `${name}: ${why(c)}: left out of its writes`));
    const qualified = quoteQualified(table);
    const writable = table.columns.filter((c) => c.fill !== 'always' && c.fill !== 'sequence' && !unshared.includes(c));
    const values = (columns: Column[], k: number) => {
      const references = referencing(table, k);
      return columns.flatMap((c) => written(references, c, k, narrower(c, other(c))!, highest.get(mine.label)) ?? []);
    };
    const insert = (columns: Column[], k: number, returning: string): AppQuery => {
      const params: string[] = [];
      const w = values(columns, k);
      const sql = w.length
        ? `INSERT INTO ${qualified} (${w.map((x) => quoteIdent(x.column)).join(', ')}) VALUES (${expressions(w, params).join(', ')})${returning}`
        : `INSERT INTO ${qualified} DEFAULT VALUES${returning}`;
      return { sql, params };
    };
    const key = table.key;
    const queries: AppQuery[] = [];
    queries.push({
      ...insert(writable, FULL, key ? ` RETURNING ${key.map((k) => `${quoteIdent(k)}::text`).join(', ')}` : ''),
      ...(key && { returnsKey: true as const }),
    });
    queries.push(
      insert(
        writable.filter((c) => c.notNull && c.fill === null),
        MINIMAL,
        '',
      ),
    );
    if (key) {
      const set = values(
        writable.filter((c) => !key.includes(c.name)),
        UPDATED,
      );
      // the key's parameters come first: placeholders here, the returned key when run
      const params = key.map(() => '');
      const where = key.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ');
      if (set.length) {
        const update = [...params];
        queries.push({
          sql: `UPDATE ${qualified} SET ${expressions(set, update)
            .map((e, i) => `${quoteIdent(set[i]!.column)} = ${e}`)
            .join(', ')} WHERE ${where}`,
          params: update.slice(key.length),
          usesKey: true,
        });
      }
      // the row holds what was written (json has no equality: left out)
      const compared = set.filter((w) => table.columns.find((c) => c.name === w.column)!.type !== 'json');
      const select = [...params];
      const held = expressions(compared, select).map(
        (e, i) => ` AND ${quoteIdent(compared[i]!.column)} IS NOT DISTINCT FROM ${e}`,
      );
      queries.push({
        sql: `SELECT 1 FROM ${qualified} WHERE ${where}${held.join('')}`,
        params: select.slice(key.length),
        usesKey: true,
      });
    }
    out.tables.push({ table: table.label, queries });
  }
  return out;
}

/** How many queries the version has. */
export function queryCount(app: AppQueries): number {
  return app.tables.reduce((n, t) => n + t.queries.length, 0);
}

export interface QueryFailure {
  table: string;
  query: AppQuery;
  /** PostgreSQL's error, or what the query returned instead of its one row. */
  error: string;
  /** PostgreSQL's SQLSTATE, when it refused the query. */
  code?: string;
}

/**
 * Runs the version's queries in one transaction that is rolled back, each under a savepoint:
 * every query must change or return exactly one row. Returns the failures (a query whose key
 * query failed is not run).
 */
export async function runQueries(client: pg.ClientBase, app: AppQueries): Promise<QueryFailure[]> {
  const failures: QueryFailure[] = [];
  await client.query(`BEGIN; SET LOCAL lock_timeout = '5s'; SET LOCAL statement_timeout = '10s'`);
  try {
    for (const { table, queries } of app.tables) {
      let key: string[] | undefined;
      for (const query of queries) {
        if (query.usesKey && key === undefined) continue;
        await client.query('SAVEPOINT app_query');
        try {
          const result = await client.query<string[]>({
            text: query.sql,
            values: query.usesKey ? [...key!, ...query.params] : query.params,
            rowMode: 'array',
          });
          if (result.rowCount !== 1)
            throw new Error(
              `${result.rowCount ?? 0} rows, expected 1${query.usesKey ? ' (the row does not hold what was written)' : ''}`,
            );
          if (query.returnsKey) key = result.rows[0];
          await client.query('RELEASE SAVEPOINT app_query');
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT app_query');
          const code = (error as { code?: unknown }).code;
          failures.push({ table, query, error: (error as Error).message, ...(typeof code === 'string' && { code }) });
        }
      }
    }
  } finally {
    await client.query('ROLLBACK');
  }
  return failures;
}

/** The version's queries without those that failed (and those that need a key a failed query did not return). */
export function without(app: AppQueries, failures: QueryFailure[]): AppQueries {
  const failed = new Set(failures.map((f) => f.query));
  return {
    ...app,
    tables: app.tables
      .map(({ table, queries }) => ({
        table,
        queries: queries.filter(
          (q) => !failed.has(q) && !(q.usesKey && queries.some((k) => k.returnsKey && failed.has(k))),
        ),
      }))
      .filter((t) => t.queries.length > 0),
  };
}

/** One line for a failure: the query and the error. */
export function describeFailure(failure: QueryFailure): string {
  return `${failure.query.sql}: ${failure.error}`;
}
