// A few generated rows in every table of a shadow database (of each of its application's schemas), so that a migration and its plan
// have data to act on: values follow each column's type, length, enum labels and foreign keys;
// a column with a default gets it in one row of three, a nullable one NULL there. A fourth row,
// the twin, repeats the first's values but for its unique keys, so that rows share a group (a
// DISTINCT, a GROUP BY) as real data does. A row that
// PostgreSQL still refuses (a CHECK, a unique key, a partition that is missing) is left out and
// reported, as is a table with a column whose type has no generated value.
import type pg from 'pg';
import { quoteIdent, quoteQualified, USER_SCHEMAS } from '../sql/names.js';
import { labelSql } from './catalog.js';

export const ROWS_PER_TABLE = 3;
/** The row number of the twin's unique values. */
export const TWIN = ROWS_PER_TABLE + 1;

export interface Column {
  name: string;
  type: string;
  /** pg_type.typcategory of the type (of a domain's base type). */
  category: string;
  labels: string[] | null;
  notNull: boolean;
  /** 'always' for a column that takes no value (generated, identity ALWAYS), 'sequence' for one a sequence fills, 'value' for another default. */
  fill: 'always' | 'sequence' | 'value' | null;
  /** The character length limit, or null. */
  length: number | null;
}

export interface ForeignKey {
  columns: string[];
  /** The referenced table and its schema, which may be another than the referencing table's. */
  schema: string;
  table: string;
  references: string[];
}

/** Foreign keys in the order a row's values are found for them: keys of more columns first, so that a key
 *  sharing columns with one before it takes a row that agrees with it (`(client_id, nid)` a client, then
 *  `nid` that client's network, which the first network may not be). */
export function widestFirst(keys: readonly ForeignKey[]): ForeignKey[] {
  return [...keys].sort((a, b) => b.columns.length - a.columns.length);
}

/** The query for the row of a foreign key's table that a row references: the `offset`-th of its rows (round), by
 *  the key's columns, of those whose referenced columns at `agreed` (a place in the key, and an SQL value) hold
 *  what the keys before it set; it selects `select`. */
export function referencedRow(
  fk: ForeignKey,
  select: string,
  offset: string,
  agreed: ReadonlyArray<readonly [number, string]>,
): string {
  const target = quoteQualified({ schema: fk.schema, name: fk.table });
  const where = agreed.length
    ? ` WHERE ${agreed.map(([i, value]) => `${quoteIdent(fk.references[i]!)} = ${value}`).join(' AND ')}`
    : '';
  const order = fk.references.map(quoteIdent).join(', ');
  return `SELECT ${select} FROM ${target}${where} ORDER BY ${order} LIMIT 1 OFFSET ${offset} % greatest(1, (SELECT count(*) FROM ${target}${where})::int)`;
}

export interface Table {
  schema: string;
  name: string;
  /** Its name in a proof's messages and maps (`labelSql`): bare in schema public. */
  label: string;
  columns: Column[];
  foreignKeys: ForeignKey[];
  /** The columns of its primary key, else of another unique index on plain columns; null without one. */
  key: string[] | null;
  /** The columns of any of its unique indexes (partial or of expressions too). */
  unique: string[];
  /** Its columns, constraints, indexes and triggers as one text: equal texts, the same table shape. */
  shape: string;
}

export interface GeneratedRows {
  /** Rows inserted per table, by its label. */
  inserted: Record<string, number>;
  /** What could not be generated, one line each. */
  skipped: string[];
}

const TABLES = `
SELECT n.nspname AS schema, c.relname AS name, ${labelSql('c.relname')} AS label,
       (SELECT json_agg(json_build_object(
                 'name', a.attname,
                 'type', format_type(a.atttypid, a.atttypmod),
                 'category', coalesce(bt.typcategory, t.typcategory),
                 'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = coalesce(bt.oid, t.oid)),
                 'notNull', a.attnotnull OR coalesce(t.typnotnull, false),
                 'fill', CASE WHEN a.attgenerated <> '' OR a.attidentity = 'a' THEN 'always'
                              WHEN a.attidentity = 'd' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%' THEN 'sequence'
                              WHEN d.adbin IS NOT NULL THEN 'value' END,
                 'length', CASE WHEN coalesce(bt.typcategory, t.typcategory) = 'S' AND a.atttypmod > 4 THEN a.atttypmod - 4 END)
                 ORDER BY a.attnum)
          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype AND t.typtype = 'd'
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       coalesce((SELECT json_agg(json_build_object(
                 'columns', (SELECT json_agg(a.attname ORDER BY u.i) FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n),
                 'schema', (SELECT rn.nspname FROM pg_namespace rn WHERE rn.oid = r.relnamespace),
                 'table', r.relname,
                 'references', (SELECT json_agg(a.attname ORDER BY u.i) FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n)))
          FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid WHERE k.conrelid = c.oid AND k.contype = 'f'), '[]') AS "foreignKeys",
       (SELECT json_agg(a.attname ORDER BY u.i)
          FROM (SELECT i.indkey::int2[] AS cols FROM pg_index i
                 WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
                 ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1) x,
               unnest(x.cols) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.n) AS key,
       coalesce((SELECT json_agg(DISTINCT a.attname) FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                  AND (a.attnum = ANY (i.indkey::int2[]) OR strpos(pg_get_expr(i.indexprs, i.indrelid), quote_ident(a.attname)) > 0)
                 WHERE i.indrelid = c.oid AND i.indisunique), '[]') AS "unique",
       concat_ws(E'\n',
         (SELECT string_agg(format('%s %s%s %s', a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END, pg_get_expr(d.adbin, d.adrelid)), ', ' ORDER BY a.attname)
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
         (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname) FROM pg_constraint k WHERE k.conrelid = c.oid),
         (SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY 1) FROM pg_index i WHERE i.indrelid = c.oid),
         (SELECT string_agg(pg_get_triggerdef(t.oid), ', ' ORDER BY 1) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)) AS shape
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY n.nspname, c.relname`;

/** Tables in an order where a table comes after those it references (cycles broken where they close). */
function ordered(tables: Table[]): Table[] {
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const byKey = new Map(tables.map((t) => [key(t.schema, t.name), t]));
  const out: Table[] = [];
  const visited = new Set<Table>();
  const visit = (t: Table) => {
    if (visited.has(t)) return;
    visited.add(t);
    for (const fk of t.foreignKeys) {
      const target = byKey.get(key(fk.schema, fk.table));
      if (target && target !== t) visit(target);
    }
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}

/** The tables of the application's schemas (not partitions), by schema and name. */
export async function tables(client: pg.ClientBase): Promise<Table[]> {
  return (await client.query<Table>(TABLES)).rows;
}

/** A value of the column's type for row `k` (1-based, at most 9), as text PostgreSQL casts; undefined when there is none. */
export function value(column: Column, k: number): string | undefined {
  if (column.labels) return column.labels[(k - 1) % column.labels.length];
  const type = column.type.replace(/\(.*\)/, '');
  if (column.category === 'A') return '{}';
  if (column.category === 'B') return k % 2 === 0 ? 'true' : 'false';
  if (column.category === 'N')
    return /^(smallint|integer|bigint|oid)$/.test(type) || /^numeric\(\d+(,\s*0)?\)$/.test(column.type)
      ? String(k)
      : `${k}.5`;
  if (column.category === 'S') {
    const text = `${column.name}-${k}`;
    return column.length === null ? text : text.slice(-column.length);
  }
  if (type === 'uuid') return `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
  if (type === 'date') return `2024-01-0${k}`;
  if (type.startsWith('timestamp')) return `2024-01-0${k} 12:00:00`;
  if (type.startsWith('time')) return `12:00:0${k}`;
  if (type === 'interval') return `${k} days`;
  if (type === 'json' || type === 'jsonb') return `{"n": ${k}}`;
  if (type === 'bytea') return `\\x0${k}`;
  if (type === 'inet' || type === 'cidr') return `10.0.0.${k}`;
  if (type === 'macaddr') return `08:00:2b:01:02:0${k}`;
  return undefined;
}

/** Whether the column holds whole numbers (its generated values are 1, 2, 3 …). */
export function isWhole(column: Column): boolean {
  return column.category === 'N' && value(column, 1) === '1';
}

/**
 * The largest value of each whole-number column of the table (0 when it has none): generated
 * values go above it, clear of the keys of rows the history inserted.
 */
export async function highest(client: pg.ClientBase, table: Table): Promise<Map<string, bigint>> {
  const whole = table.columns.filter(isWhole);
  if (whole.length === 0) return new Map();
  const { rows } = await client.query<Array<string | null>>({
    text: `SELECT ${whole.map((c) => `max(${quoteIdent(c.name)})::text`).join(', ')} FROM ${quoteQualified(table)}`,
    rowMode: 'array',
  });
  return new Map(whole.map((c, i) => [c.name, BigInt(rows[0]![i] ?? 0)]));
}

/** `value`, above `highest` (of the column's table) where it knows the column. */
export function generated(column: Column, k: number, above: Map<string, bigint> | undefined): string | undefined {
  const base = above?.get(column.name);
  return base === undefined ? value(column, k) : String(base + BigInt(k));
}

/** A column that needs a value and has no generated one (not set by a foreign key either), if the table has one. */
export function ungenerated(table: Table): Column | undefined {
  return table.columns.find(
    (c) =>
      c.notNull &&
      c.fill === null &&
      value(c, 1) === undefined &&
      !table.foreignKeys.some((fk) => fk.columns.includes(c.name)),
  );
}

/**
 * Inserts ROWS_PER_TABLE generated rows into every table, and with `twin` the first's
 * twin, in one transaction. Without `nulls`, a nullable column gets a value in every row (for a
 * migration that sets NOT NULL, trusting the data to have none).
 */
export async function generateRows(
  client: pg.ClientBase,
  options: { nulls: boolean; twin?: boolean } = { nulls: true },
): Promise<GeneratedRows> {
  const result: GeneratedRows = { inserted: {}, skipped: [] };
  await client.query('BEGIN');
  try {
    for (const table of ordered(await tables(client))) {
      const qualified = quoteQualified(table);
      const missing = ungenerated(table);
      if (missing) {
        result.skipped.push(`${table.label}: no generated value for ${missing.name} (${missing.type})`);
        continue;
      }
      let inserted = 0;
      const above = await highest(client, table);
      const first = new Map<string, string | null>();
      for (let k = 1; k <= (options.twin ? TWIN : ROWS_PER_TABLE); k++) {
        const row = new Map<string, string | null>();
        // the twin takes the first row's values but in its unique keys (and its foreign keys where they are unique)
        const repeats = (columns: string[]) => k === TWIN && !columns.some((c) => table.unique.includes(c));
        for (const c of table.columns) {
          if (c.fill === 'always' || c.fill === 'sequence' || (c.fill === 'value' && k === ROWS_PER_TABLE)) continue;
          row.set(
            c.name,
            repeats([c.name])
              ? first.get(c.name)!
              : options.nulls && !c.notNull && k === ROWS_PER_TABLE
                ? null
                : (generated(c, k, above) ?? null),
          );
        }
        const set = new Set<string>();
        for (const fk of widestFirst(table.foreignKeys)) {
          if (repeats(fk.columns)) continue;
          const shared = fk.columns.flatMap((column, i) => (set.has(column) ? [i] : []));
          if (shared.length === fk.columns.length) continue;
          const select = fk.references.map((r, i) => `${quoteIdent(r)}::text AS c${i}`).join(', ');
          const { rows: targets } = await client.query<Record<string, string | null>>({
            text: referencedRow(
              fk,
              select,
              '$1::int',
              shared.map((i, j) => [i, `$${j + 2}`] as const),
            ),
            values: [k - 1, ...shared.map((i) => row.get(fk.columns[i]!))],
          });
          const found = targets[0];
          for (const [i, column] of fk.columns.entries()) {
            row.set(column, found ? found[`c${i}`]! : null);
            set.add(column);
          }
        }
        if (k === 1) for (const [column, v] of row) first.set(column, v);
        const names = [...row.keys()];
        const sql = names.length
          ? `INSERT INTO ${qualified} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`
          : `INSERT INTO ${qualified} DEFAULT VALUES`;
        await client.query('SAVEPOINT row');
        try {
          await client.query(sql, [...row.values()]);
          inserted++;
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT row');
          result.skipped.push(`${table.label}: row ${k} refused: ${(error as Error).message}`);
        }
      }
      result.inserted[table.label] = inserted;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return result;
}
