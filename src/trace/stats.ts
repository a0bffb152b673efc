// Sizes of the user's tables, read-only: row estimates, table and index sizes and the write
// rate where PostgreSQL's statistics give one. Written to a file by `pgphase stats <url>` for
// CI that cannot reach the database; no data and no connection details are in it.
import { readFile } from '../files.js';
import { resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { connect } from '../runner/connect.js';
import { tableKey } from './static.js';

const tableStats = z.strictObject({
  rows: z.number().min(0),
  tableBytes: z.number().min(0),
  indexBytes: z.number().min(0),
  indexes: z.int().min(0),
  /** Rows inserted, updated and deleted per second since the statistics were reset, when known. */
  writesPerSecond: z.number().min(0).optional(),
});

const statsSchema = z.strictObject({
  pgphaseStats: z.literal(1),
  /** The server's major version. */
  server: z.int(),
  taken: z.string(),
  /** By `schema.name`. */
  tables: z.record(z.string(), tableStats),
});

export type TableStats = z.infer<typeof tableStats>;
export type Stats = z.infer<typeof statsSchema>;

const SIZES = `
SELECT n.nspname AS schema, c.relname AS name,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE coalesce(s.n_live_tup, 0) END::float8 AS rows,
       pg_table_size(c.oid)::float8 AS "tableBytes", pg_indexes_size(c.oid)::float8 AS "indexBytes",
       (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid)::int AS indexes,
       (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::float8 AS writes,
       extract(epoch FROM now() - coalesce(d.stats_reset, pg_postmaster_start_time()))::float8 AS seconds
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  JOIN pg_stat_database d ON d.datname = current_database()
 WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

/** Reads the sizes of every table of the database at `url` (catalog and statistics views only). */
export async function collectStats(url: string): Promise<Stats> {
  const client = await connect(url);
  try {
    const {
      rows: [version],
    } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    const { rows } = await client.query<{
      schema: string;
      name: string;
      rows: number;
      tableBytes: number;
      indexBytes: number;
      indexes: number;
      writes: number | null;
      seconds: number | null;
    }>(SIZES);
    const tables: Stats['tables'] = {};
    for (const r of rows.sort((a, b) => (a.schema + a.name < b.schema + b.name ? -1 : 1))) {
      tables[tableKey(r.schema, r.name)] = {
        rows: Math.round(r.rows),
        tableBytes: r.tableBytes,
        indexBytes: r.indexBytes,
        indexes: r.indexes,
        ...(r.writes !== null &&
          r.seconds !== null &&
          r.seconds > 0 && { writesPerSecond: Math.round((r.writes / r.seconds) * 100) / 100 }),
      };
    }
    return { pgphaseStats: 1, server: Math.floor(Number(version!.v) / 10000), taken: new Date().toISOString(), tables };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `--stats-from`: a database URL (read now) or a file `pgphase stats` wrote. */
export async function readStats(from: string, cwd = process.cwd()): Promise<Stats> {
  if (/^postgres(ql)?:\/\//.test(from)) return collectStats(from);
  let text: string;
  try {
    text = await readFile(resolve(cwd, from), 'utf8');
  } catch (error) {
    throw new InputError(
      `${from}: cannot read the stats file (${(error as NodeJS.ErrnoException).code ?? 'error'}); write one with \`pgphase stats <url> --output ${from}\``,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${from}: not JSON (${(error as Error).message}); write it with \`pgphase stats <url>\``);
  }
  const parsed = statsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      `${from}: ${issue.path.join('.') || 'the file'}: ${issue.message}; write it with \`pgphase stats <url>\``,
    );
  }
  return parsed.data;
}
