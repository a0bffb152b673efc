#!/usr/bin/env node
// Trace benchmark, two parts:
//   1. `pgphase trace <dir>` of the first --migrations (default 50) migrations of a real history
//      (--history, default documenso; bench/.histories), as a user runs it: cold, the embedded
//      PostgreSQL started and stopped inside (goal < 15 s); with --shadow-url on the bench server
//      (no start); and `pgphase lint <dir>` of the same migrations as the baseline.
//   2. The duration model against PostgreSQL: throughput measured as `trace --stats-from` does
//      (a 200,000-row sample), scaled to a table of --rows (default 1,000,000) rows, next to the
//      measured rewrite (ALTER … TYPE bigint, one index) and index build (goal: within 2×).
// Run: `npm run build && node bench/trace.mjs [--history name] [--migrations N] [--rows N] [--runs N] [--quick]`
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { client, count, flags, int, machine, ms, ROOT, stats, table, withScratchDatabase } from './lib.mjs';

const opts = flags({
  history: { type: 'string', default: 'documenso' },
  migrations: { type: 'string' },
  rows: { type: 'string' },
  runs: { type: 'string' },
});
const MIGRATIONS = count(opts.migrations, 'migrations', 50);
const ROWS = count(opts.rows, 'rows', opts.quick ? 200_000 : 1_000_000);
const RUNS = count(opts.runs, 'runs', opts.quick ? 1 : 3);
const url = opts['database-url'];
const { discoverSet } = await import(join(ROOT, 'dist', 'src', 'discover', 'index.js'));
const { measureThroughput, workMs } = await import(join(ROOT, 'dist', 'src', 'trace', 'duration.js'));

const corpus = join(ROOT, 'bench', '.histories', opts.history);
if (!existsSync(corpus)) {
  console.log(`bench: ${corpus} is absent (cached histories: bench/corpus.json, scripts/corpus.mjs); part 1 skipped`);
} else {
  // the first N migrations, with the files beside them a layout needs (Prisma's migration_lock.toml)
  const set = await discoverSet(corpus);
  const migrations = [...new Set(set.files.map((f) => f.migration))].slice(0, MIGRATIONS);
  const dir = join(mkdtempSync(join(tmpdir(), 'pgphase-bench-trace-')), opts.history);
  for (const f of set.files.filter((f) => migrations.includes(f.migration))) {
    const to = join(dir, relative(set.root, f.absPath));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(f.absPath, to);
  }
  for (const name of readdirSync(set.root))
    if (statSync(join(set.root, name)).isFile() && !name.endsWith('.sql'))
      cpSync(join(set.root, name), join(dir, name));

  const cli = (args) => {
    const start = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'pgphase.cjs'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, PGPHASE_SHADOW_URL: '' },
    });
    const wall = performance.now() - start;
    if (r.status === 2) throw new Error(`bench: pgphase ${args[0]} failed: ${r.stderr}`);
    return { wall, out: r.stdout };
  };
  const runs = { cold: [], warm: [], lint: [] };
  let summary = '';
  for (let i = 0; i < RUNS; i++) {
    const cold = cli(['trace', dir]);
    runs.cold.push(cold.wall);
    summary =
      cold.out
        .trim()
        .split('\n')
        .find((l) => / traced on PostgreSQL /.test(l)) ?? cold.out.slice(-300);
    runs.warm.push(cli(['trace', dir, '--shadow-url', url]).wall);
    runs.lint.push(cli(['lint', dir, '--format', 'json']).wall);
  }
  console.log(
    `## pgphase trace of ${migrations.length} migrations of ${opts.history} (${set.layout}), ${RUNS} run${RUNS === 1 ? '' : 's'}\n`,
  );
  console.log(
    table(
      ['command', 'p50', 'max'],
      [
        ['trace, embedded PostgreSQL started inside (goal < 15 s)', ms(stats(runs.cold).p50), ms(stats(runs.cold).max)],
        ['trace --shadow-url (server already up)', ms(stats(runs.warm).p50), ms(stats(runs.warm).max)],
        ['lint of the same migrations (baseline)', ms(stats(runs.lint).p50), ms(stats(runs.lint).max)],
      ],
    ),
  );
  console.log(`\n${summary}\n`);
}

// part 2: the duration model
await withScratchDatabase(url, async (scratch) => {
  const db = await client(scratch);
  try {
    const throughput = await measureThroughput(db);
    await db.query(
      `CREATE TABLE big AS SELECT g AS id, md5(g::text) AS label, now() AS at FROM generate_series(1, $1::int) g`,
      [ROWS],
    );
    await db.query('VACUUM ANALYZE big');
    const size = async (what) => Number((await db.query(`SELECT ${what}('big') AS b`)).rows[0].b);
    const timed = async (sql) => {
      const start = performance.now();
      await db.query(sql);
      return performance.now() - start;
    };
    // in the order and the state the sample is measured in: vacuumed, scan, index, rewrite
    const tableBytes = await size('pg_table_size');
    const scanPredicted = workMs('scan', { rows: ROWS, tableBytes, indexBytes: 0, indexes: 0 }, throughput);
    const scanMeasured = await timed('ALTER TABLE big ALTER COLUMN label SET NOT NULL');
    const indexPredicted = workMs('index', { rows: ROWS, tableBytes, indexBytes: 0, indexes: 0 }, throughput);
    const indexMeasured = await timed('CREATE INDEX big_label ON big (label)');
    const indexBytes = await size('pg_indexes_size');
    const rewritePredicted = workMs('rewrite', { rows: ROWS, tableBytes, indexBytes, indexes: 1 }, throughput);
    const rewriteMeasured = await timed('ALTER TABLE big ALTER COLUMN id TYPE bigint');
    const ratio = (p, m) => `${(p / m).toFixed(2)}×${p / m > 2 || p / m < 0.5 ? ' (outside 2×)' : ''}`;
    console.log(
      `## duration model: ${int(ROWS)} rows (${(tableBytes / 1e6).toFixed(0)} MB table, ${(indexBytes / 1e6).toFixed(0)} MB index)\n`,
    );
    console.log(
      table(
        ['work', 'predicted', 'measured', 'predicted / measured'],
        [
          ['scan (SET NOT NULL)', ms(scanPredicted), ms(scanMeasured), ratio(scanPredicted, scanMeasured)],
          [
            'index build (CREATE INDEX on a text column)',
            ms(indexPredicted),
            ms(indexMeasured),
            ratio(indexPredicted, indexMeasured),
          ],
          [
            'rewrite (ALTER COLUMN id TYPE bigint, table + 1 index)',
            ms(rewritePredicted),
            ms(rewriteMeasured),
            ratio(rewritePredicted, rewriteMeasured),
          ],
        ],
      ),
    );
    console.log(
      `\nthroughput from the 200,000-row sample: rewrite ${int(throughput.rewrite / 1000)} MB/s, index ${int(throughput.index / 1000)} MB/s, scan ${int(throughput.scan / 1000)} MB/s`,
    );
  } finally {
    await db.end();
  }
});
console.log(`\n${await machine(url)}`);
