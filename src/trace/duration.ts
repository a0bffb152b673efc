// How long a lock-holding step blocks on the user's tables: the work a finding says the
// statement does under its lock (a rewrite, a scan, an index build), at a throughput measured
// on a PostgreSQL server, scaled by the table's size. With it, a finding about a step that
// blocks for less than `maxLockMs` becomes a warning, and every such finding says how long.
import type pg from 'pg';
import type { Finding } from '../lint/rule.js';
import type { FileResult } from '../lint/engine.js';
import { summarize, type LintResult } from '../lint/result.js';
import { TRAFFIC_BLOCKING, type LockMode } from '../sql/locks.js';
import type { Stats, TableStats } from './stats.js';
import { RULE_WORK, statementAt, stronger, type StaticStatement, type Work } from './static.js';

/** Bytes processed per millisecond: of the table for a scan and an index build, of the table and its indexes for a rewrite. */
export interface Throughput {
  rewrite: number;
  scan: number;
  index: number;
  /** Where the figures come from. */
  source: 'measured' | 'default';
}

/**
 * Figures `measureThroughput` gave on a loaded 2-core machine (PostgreSQL 15, shared_buffers
 * 128MB; bench/trace.mjs): used where no server is at hand to measure on (lint).
 */
export const DEFAULT_THROUGHPUT: Throughput = { rewrite: 40_000, scan: 700_000, index: 35_000, source: 'default' };

export const DEFAULT_MAX_LOCK_MS = 1000;

const SAMPLE_ROWS = 200_000;

/**
 * Measures scan, index-build and rewrite throughput on the database of `client`, on a table of
 * generated rows, vacuumed first as a table in use is (written to the WAL, hint bits set),
 * dropped afterwards. The rewrite is timed with an index on the table: its bytes are the
 * table's and the index's, both written again.
 */
export async function measureThroughput(client: pg.ClientBase, rows = SAMPLE_ROWS): Promise<Throughput> {
  await client.query('DROP TABLE IF EXISTS pgphase_throughput');
  try {
    await client.query(
      `CREATE TABLE pgphase_throughput AS SELECT g AS id, md5(g::text) AS label, now() AS at FROM generate_series(1, $1::int) g`,
      [rows],
    );
    await client.query('VACUUM ANALYZE pgphase_throughput');
    const size = async (what: 'pg_table_size' | 'pg_total_relation_size') =>
      Number((await client.query<{ b: string }>(`SELECT ${what}('pgphase_throughput') AS b`)).rows[0]!.b);
    const timed = async (sql: string, undo?: string) => {
      // the median of three where the step can be undone: a short step is easily slowed by other work on the machine
      const times: number[] = [];
      for (let i = 0; i < (undo === undefined ? 1 : 3); i++) {
        const start = performance.now();
        await client.query(sql);
        times.push(Math.max(performance.now() - start, 0.001));
        if (undo !== undefined) await client.query(undo);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    };
    const table = await size('pg_table_size');
    const scan =
      table /
      (await timed(
        'ALTER TABLE pgphase_throughput ALTER COLUMN label SET NOT NULL',
        'ALTER TABLE pgphase_throughput ALTER COLUMN label DROP NOT NULL',
      ));
    // a large table's index build sorts on disk; the sample's would fit in memory without this
    await client.query(`SET maintenance_work_mem = '1MB'`);
    const index =
      table /
      (await timed(
        'CREATE INDEX pgphase_throughput_label ON pgphase_throughput (label)',
        'DROP INDEX pgphase_throughput_label',
      ));
    await client.query('RESET maintenance_work_mem');
    await client.query('CREATE INDEX pgphase_throughput_label ON pgphase_throughput (label)');
    const rewrite =
      (await size('pg_total_relation_size')) /
      (await timed('ALTER TABLE pgphase_throughput ALTER COLUMN id TYPE bigint'));
    return { rewrite, scan, index, source: 'measured' };
  } finally {
    await client.query('DROP TABLE IF EXISTS pgphase_throughput');
  }
}

/**
 * Milliseconds `work` takes on a table of this size: a scan reads the table, an index build
 * reads and sorts it (n log n: a sort of more rows than the sample's costs more per row), a
 * rewrite writes the table and its indexes again.
 */
export function workMs(work: Work, table: TableStats, throughput: Throughput): number {
  if (work === 'scan') return table.tableBytes / throughput.scan;
  if (work === 'index')
    return (table.tableBytes / throughput.index) * Math.max(1, Math.log2(table.rows) / Math.log2(SAMPLE_ROWS));
  return (table.tableBytes + table.indexBytes) / throughput.rewrite;
}

export interface Estimate {
  ms: number;
  mode: LockMode;
  tables: Array<{ table: string; rows: number; writesPerSecond?: number }>;
}

/** How long the statement blocks traffic for the work of `rule`, or undefined when a table's size is not known. */
export function estimate(
  rule: string,
  statement: StaticStatement,
  stats: Stats,
  throughput: Throughput,
): Estimate | undefined {
  const work = RULE_WORK[rule];
  if (!work) return undefined;
  const blocking = [...statement.locks].filter(([, mode]) => TRAFFIC_BLOCKING.has(mode));
  if (!blocking.length || blocking.some(([table]) => !stats.tables[table])) return undefined;
  return {
    ms: blocking.reduce((sum, [table]) => sum + workMs(work, stats.tables[table]!, throughput), 0),
    mode: blocking.map(([, mode]) => mode).reduce(stronger),
    tables: blocking.map(([table]) => {
      const { rows, writesPerSecond } = stats.tables[table]!;
      return { table: table.replace(/^public\./, ''), rows, ...(writesPerSecond !== undefined && { writesPerSecond }) };
    }),
  };
}

/** "≈ 3 ms", "≈ 4.2 s", "≈ 6 min", "≈ 2.5 h". */
export function formatMs(ms: number): string {
  const round = (n: number) => (n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));
  if (ms < 1000) return `≈ ${round(Math.max(ms, 0.1))} ms`;
  if (ms < 60_000) return `≈ ${round(ms / 1000)} s`;
  if (ms < 3_600_000) return `≈ ${round(ms / 60_000)} min`;
  return `≈ ${round(ms / 3_600_000)} h`;
}

export function describe(e: Estimate): string {
  const rows = e.tables
    .map(
      (t) =>
        `${t.table}: ${t.rows.toLocaleString('en-US')} rows${t.writesPerSecond ? `, ${t.writesPerSecond.toLocaleString('en-US')} writes/s` : ''}`,
    )
    .join(', ');
  return `${formatMs(e.ms)} under ${e.mode} (${rows})`;
}

export interface SizeOptions {
  stats: Stats;
  throughput: Throughput;
  maxLockMs: number;
}

/** The finding with the estimate in its message, a warning when the step blocks for no longer than maxLockMs. */
export function sized(finding: Finding, statement: StaticStatement | undefined, options: SizeOptions): Finding {
  const e = statement && estimate(finding.rule, statement, options.stats, options.throughput);
  if (!e) return finding;
  return {
    ...finding,
    message: `${finding.message} (${describe(e)})`,
    severity: e.ms <= options.maxLockMs ? 'warning' : finding.severity,
  };
}

/** A lint result with every finding about a lock-holding step sized (see `sized`). */
export function sizeResult(
  result: LintResult,
  statements: Map<string, Map<number, StaticStatement>>,
  options: SizeOptions,
): LintResult {
  const files: FileResult[] = result.files.map((file) => {
    const at = statementAt(statements, file.path);
    const findings = file.findings.map((f) => sized(f, at(f.location.line), options));
    return { ...file, findings };
  });
  return { ...summarize(files), ...(result.baseline && { baseline: result.baseline }) };
}
