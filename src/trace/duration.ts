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
import { RULE_WORK, stronger, type StaticStatement, type Work } from './static.js';

/** Table bytes processed per millisecond. */
export interface Throughput {
  rewrite: number;
  scan: number;
  index: number;
  /** Where the figures come from. */
  source: 'measured' | 'default';
}

/**
 * Figures measured with `measureThroughput` on a 2-core machine under load (PostgreSQL 15,
 * 1,000,000 rows): used when no server is at hand to measure on (lint).
 */
export const DEFAULT_THROUGHPUT: Throughput = { rewrite: 60_000, scan: 400_000, index: 60_000, source: 'default' };

export const DEFAULT_MAX_LOCK_MS = 1000;

const SAMPLE_ROWS = 200_000;

/**
 * Measures rewrite, scan and index-build throughput on the server of `client`, on a table of
 * generated rows in a transaction that is rolled back.
 */
export async function measureThroughput(client: pg.ClientBase, rows = SAMPLE_ROWS): Promise<Throughput> {
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE pgphase_throughput AS SELECT g AS id, md5(g::text) AS label, now() AS at FROM generate_series(1, $1::int) g`, [rows]);
    const bytes = async () => Number((await client.query<{ b: string }>(`SELECT pg_table_size('pgphase_throughput') AS b`)).rows[0]!.b);
    const size = await bytes();
    const timed = async (sql: string) => {
      const start = performance.now();
      await client.query(sql);
      return Math.max(performance.now() - start, 0.001);
    };
    const scan = size / (await timed('ALTER TABLE pgphase_throughput ALTER COLUMN label SET NOT NULL'));
    const rewrite = size / (await timed('ALTER TABLE pgphase_throughput ALTER COLUMN id TYPE bigint'));
    const index = (await bytes()) / (await timed('CREATE INDEX ON pgphase_throughput (label)'));
    return { rewrite, scan, index, source: 'measured' };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Milliseconds `work` takes on a table of this size. A rewrite also rebuilds every index. */
export function workMs(work: Work, table: TableStats, throughput: Throughput): number {
  if (work === 'scan') return table.tableBytes / throughput.scan;
  if (work === 'index') return table.tableBytes / throughput.index;
  return table.tableBytes / throughput.rewrite + (table.indexes * table.tableBytes) / throughput.index;
}

export interface Estimate {
  ms: number;
  mode: LockMode;
  tables: Array<{ table: string; rows: number }>;
}

/** How long the statement blocks traffic for the work of `rule`, or undefined when a table's size is not known. */
export function estimate(rule: string, statement: StaticStatement, stats: Stats, throughput: Throughput): Estimate | undefined {
  const work = RULE_WORK[rule];
  if (!work) return undefined;
  const blocking = [...statement.locks].filter(([, mode]) => TRAFFIC_BLOCKING.has(mode));
  if (!blocking.length || blocking.some(([table]) => !stats.tables[table])) return undefined;
  return {
    ms: blocking.reduce((sum, [table]) => sum + workMs(work, stats.tables[table]!, throughput), 0),
    mode: blocking.map(([, mode]) => mode).reduce(stronger),
    tables: blocking.map(([table]) => ({ table: table.replace(/^public\./, ''), rows: stats.tables[table]!.rows })),
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
  const rows = e.tables.map((t) => `${t.table}: ${t.rows.toLocaleString('en-US')} rows`).join(', ');
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
  return { ...finding, message: `${finding.message} (${describe(e)})`, severity: e.ms <= options.maxLockMs ? 'warning' : finding.severity };
}

/** A lint result with every finding about a lock-holding step sized (see `sized`). */
export function sizeResult(result: LintResult, statements: Map<string, Map<number, StaticStatement>>, options: SizeOptions): LintResult {
  const files: FileResult[] = result.files.map((file) => {
    const byLine = [...(statements.get(file.path)?.values() ?? [])].sort((a, b) => a.line - b.line);
    const findings = file.findings.map((f) => sized(f, byLine.filter((s) => s.line <= f.location.line).pop(), options));
    return { ...file, findings };
  });
  return { ...summarize(files), ...(result.baseline && { baseline: result.baseline }) };
}
