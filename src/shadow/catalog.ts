// A database's schema and rows as PostgreSQL reports them, for comparing two databases that
// should be the same: the result of a migration and the result of its plan. Column order is
// left out: a plan adds a replacement column at the end, and no correct application depends
// on the order. NOT NULL is compared on the columns: PostgreSQL 18 also lists it as a named
// constraint, whose name follows the column it was first set on. Every schema of the
// application's is compared (USER_SCHEMAS), not only public.
import type pg from 'pg';
import { quoteIdent, quoteLiteral, quoteQualified, USER_SCHEMAS } from '../sql/names.js';

export interface Catalog {
  columns: string[];
  constraints: string[];
  indexes: string[];
  comments: string[];
  triggers: string[];
  views: string[];
  functions: string[];
  types: string[];
  sequences: string[];
}

const RELATION_KINDS = `('r', 'p', 'v', 'm')`;

/** The name of an object of schema `namespace` (a pg_namespace row, `n` unless given) as a proof shows it and keys
 *  its rows by: bare in schema public, `schema.name` in another. */
export const labelSql = (name: string, namespace = 'n') =>
  `CASE WHEN ${namespace}.nspname = 'public' THEN ${name} ELSE ${namespace}.nspname || '.' || ${name} END`;

const RELATION = labelSql('c.relname');

export async function catalog(client: pg.ClientBase): Promise<Catalog> {
  const q = async (sql: string) => (await client.query<{ x: string }>(sql)).rows.map((r) => r.x).sort();
  return {
    columns: await q(`SELECT format('%s.%s %s%s%s%s', ${RELATION}, a.attname, format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END,
        CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
        coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS x
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE ${USER_SCHEMAS} AND c.relkind IN ${RELATION_KINDS} AND a.attnum > 0 AND NOT a.attisdropped`),
    constraints:
      await q(`SELECT format('%s.%s %s%s', ${RELATION}, k.conname, pg_get_constraintdef(k.oid), CASE WHEN k.convalidated THEN '' ELSE ' (not validated)' END) AS x
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS} AND k.contype <> 'n'`),
    indexes: await q(`SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END AS x
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS}`),
    comments: await q(`SELECT format('%s%s %s', ${RELATION}, coalesce('.' || a.attname, ''), d.description) AS x
      FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
     WHERE ${USER_SCHEMAS}`),
    triggers: await q(
      `SELECT pg_get_triggerdef(t.oid) AS x FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND NOT t.tgisinternal`,
    ),
    views: await q(
      `SELECT format('%s %s: %s', c.relkind, ${RELATION}, pg_get_viewdef(c.oid)) AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND c.relkind IN ('v', 'm')`,
    ),
    functions: await q(
      `SELECT pg_get_functiondef(p.oid) AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS} AND p.prokind IN ('f', 'p')`,
    ),
    // an enum by its name only: renaming a value leaves the old one in the type (PostgreSQL cannot drop a value)
    types:
      await q(`SELECT format('%s %s', ${labelSql('t.typname')}, CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE 'composite' END) AS x
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE ${USER_SCHEMAS} AND t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')`),
    // with the column that owns it (a serial's, an identity's): dropping that column drops the sequence
    sequences: await q(`SELECT format('%s %s%s', ${RELATION}, format_type(s.seqtypid, NULL),
        coalesce(' owned by ' || ${labelSql('o.relname', 'owner')} || '.' || a.attname, '')) AS x
      FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
        AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
      LEFT JOIN pg_class o ON o.oid = d.refobjid LEFT JOIN pg_namespace owner ON owner.oid = o.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE ${USER_SCHEMAS}`),
  };
}

/** What differs between two catalogs, one line per object: `- ` only in `a`, `+ ` only in `b`. */
export function catalogDiff(a: Catalog, b: Catalog): string[] {
  const out: string[] = [];
  for (const key of Object.keys(a) as Array<keyof Catalog>) {
    const inB = new Set(b[key]);
    const inA = new Set(a[key]);
    for (const x of a[key]) if (!inB.has(x)) out.push(`- ${key}: ${x}`);
    for (const x of b[key]) if (!inA.has(x)) out.push(`+ ${key}: ${x}`);
  }
  return out;
}

/** Every table's rows, as sorted JSON texts per table (by its `labelSql`). */
export type Rows = Record<string, string[]>;

/**
 * The rows of every table of the application's schemas. A column whose default is not immutable (now(),
 * nextval, gen_random_uuid …) gets a value that depends on when a row was written, which a
 * plan writes at another moment than the migration: such a column is compared by whether
 * it holds a value, not by the value. PostgreSQL itself says which defaults those are: an
 * index expression must be immutable. An identity column is compared so too. `mutable` remembers
 * the answers (by expression) across calls on the same database.
 */
export async function tableRows(client: pg.ClientBase, mutable = new Map<string, boolean>()): Promise<Rows> {
  const { rows: tables } = await client.query<{
    schema: string;
    name: string;
    label: string;
    defaults: Array<{ column: string; expr: string }> | null;
    identities: string[] | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, ${RELATION} AS label,
            (SELECT json_agg(json_build_object('column', a.attname, 'expr', pg_get_expr(d.adbin, d.adrelid)))
               FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = c.oid) AS defaults,
            (SELECT json_agg(a.attname) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped) AS identities
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') ORDER BY 1, 2`,
  );
  const out: Rows = {};
  await client.query('BEGIN');
  try {
    for (const table of tables) {
      const qualified = quoteQualified(table);
      // an identity, as a sequence's default, numbers rows by the values drawn before, which a rolled back write uses up too
      const varying: string[] = [...(table.identities ?? [])];
      for (const d of table.defaults ?? []) {
        if (!mutable.has(d.expr)) {
          await client.query('SAVEPOINT probe');
          const refused = await client.query(`CREATE INDEX ON ${qualified} ((${d.expr}))`).then(
            () => false,
            () => true,
          );
          await client.query('ROLLBACK TO SAVEPOINT probe');
          mutable.set(d.expr, refused);
        }
        if (mutable.get(d.expr)) varying.push(d.column);
      }
      // jsonb prints keys in one order whatever the column order
      const row = varying.reduce(
        (sql, column) =>
          `jsonb_set(${sql}, ARRAY[${quoteLiteral(column)}], to_jsonb(t.${quoteIdent(column)} IS NOT NULL))`,
        // t.*, not t: a column named t would be taken for the row
        'to_jsonb(t.*)',
      );
      const { rows } = await client.query<{ x: string }>(`SELECT ${row}::text AS x FROM ${qualified} t`);
      out[table.label] = rows.map((r) => r.x).sort();
    }
  } finally {
    await client.query('ROLLBACK');
  }
  return out;
}

/** What differs between two row sets, shortened: the tables whose rows differ, with an example. */
export function rowsDiff(a: Rows, b: Rows): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const ra = a[table] ?? [];
    const rb = b[table] ?? [];
    if (JSON.stringify(ra) === JSON.stringify(rb)) continue;
    const onlyA = ra.filter((x) => !rb.includes(x));
    const onlyB = rb.filter((x) => !ra.includes(x));
    out.push(
      `rows of ${table}: ${ra.length} vs ${rb.length}${onlyA[0] ? `; - ${onlyA[0]}` : ''}${onlyB[0] ? `; + ${onlyB[0]}` : ''}`,
    );
  }
  return out;
}

/** The rows of `rows` with only the columns that the rows of `like` have, table by table. */
export function projectRows(rows: Rows, like: Rows): Rows {
  const out: Rows = {};
  for (const [table, texts] of Object.entries(rows)) {
    const keys = new Set((like[table] ?? []).flatMap((t) => Object.keys(JSON.parse(t) as object)));
    out[table] = texts
      .map((t) =>
        JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(t) as object).filter(([k]) => keys.has(k)))),
      )
      .sort();
  }
  return out;
}

function columnValues(texts: string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const text of texts) {
    for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
      values.set(k, [...(values.get(k) ?? []), JSON.stringify(v)]);
    }
  }
  for (const list of values.values()) list.sort();
  return values;
}

/**
 * The columns whose values differ between two runs of the same migration on the same rows:
 * values the migration itself computes with a volatile function (gen_random_uuid(), now() in
 * an INSERT … SELECT), which no plan can reproduce.
 */
export function varyingColumns(a: Rows, b: Rows): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const table of Object.keys(a)) {
    const va = columnValues(a[table] ?? []);
    const vb = columnValues(b[table] ?? []);
    const differ = [...va.keys()].filter((k) => JSON.stringify(va.get(k)) !== JSON.stringify(vb.get(k)));
    if (differ.length) out.set(table, new Set(differ));
  }
  return out;
}

/** How many rows of a table hold each value of each of `columns` (NULL left out). */
function valueCounts(texts: string[], columns: Set<string>): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>([...columns].map((k) => [k, new Map<string, number>()]));
  for (const text of texts) {
    for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
      const column = counts.get(k);
      if (!column || v === null) continue;
      const value = JSON.stringify(v);
      column.set(value, (column.get(value) ?? 0) + 1);
    }
  }
  return counts;
}

/** How the rows of a table share the values of each column counted (`valueCounts`): for each,
 *  how many rows hold each value it takes, most first. The same for two runs that make other
 *  values but give the same rows one value (one per group, or one for all), whatever the values are. */
function sharing(counts: Map<string, Map<string, number>>): Record<string, number[]> {
  return Object.fromEntries(
    [...counts.keys()].sort().map((k) => [k, [...counts.get(k)!.values()].sort((x, y) => y - x)]),
  );
}

const TIME_VALUE =
  /^"(?:\d{4,}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?|\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(?:[+-]\d\d(?::\d\d)*|Z)?"$/;

/** A value (as valueCounts keys it) that is a date, a time or a timestamp, as row_to_json writes them,
 *  or a number that is the time of the run in seconds, milliseconds or microseconds since 1970 (an
 *  `updated_at` kept as an epoch). */
function timeValue(value: string): boolean {
  if (TIME_VALUE.test(value)) return true;
  const n = Number(value);
  return Number.isFinite(n) && [1, 1e3, 1e6].some((unit) => Math.abs(n / unit - Date.now() / 1000) < 86_400);
}

/**
 * Of the `varying` columns of two runs of the migration, those whose rows share a value by the
 * migration's own making, which a plan must keep: in both runs some value is held by two rows or
 * more, the rows share their values alike (`sharing`), and no value of one run is in the other.
 * Values drawn per row from a small range (`(random() * 3)::int`) meet by chance, in each run
 * otherwise, and take values of the other run: they are compared by presence only. So are dates
 * and times: the time a transaction started (`now()`, an `updated_at` trigger) is the time of
 * each batch in a plan, which says so.
 */
export function sharedAlike(a: Rows, b: Rows, varying: Map<string, Set<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [table, columns] of varying) {
    const ca = valueCounts(a[table] ?? [], columns);
    const cb = valueCounts(b[table] ?? [], columns);
    const sa = sharing(ca);
    const sb = sharing(cb);
    const alike = [...columns].filter(
      (k) =>
        (sa[k]![0] ?? 0) >= 2 &&
        // the time a transaction started (now()) is a batch's in a plan: rows share it per batch, by design
        ![...ca.get(k)!.keys()].every(timeValue) &&
        JSON.stringify(sa[k]) === JSON.stringify(sb[k]) &&
        ![...ca.get(k)!.keys()].some((value) => cb.get(k)!.has(value)),
    );
    if (alike.length) out.set(table, new Set(alike));
  }
  return out;
}

/** The rows with the given columns replaced by whether they hold a value; with `shared`, one line
 *  more for each table that has some of them, how its rows share their values (`sharing`). */
export function maskRows(rows: Rows, columns: Map<string, Set<string>>, shared = new Map<string, Set<string>>()): Rows {
  const out: Rows = {};
  for (const [table, texts] of Object.entries(rows)) {
    const mask = columns.get(table);
    const alike = shared.get(table);
    out[table] = mask
      ? [
          ...texts.map((t) =>
            JSON.stringify(
              Object.fromEntries(
                Object.entries(JSON.parse(t) as Record<string, unknown>).map(([k, v]) => [
                  k,
                  mask.has(k) ? v !== null : v,
                ]),
              ),
            ),
          ),
          ...(alike ? [JSON.stringify({ 'rows sharing a value': sharing(valueCounts(texts, alike)) })] : []),
        ].sort()
      : texts;
  }
  return out;
}
