#!/usr/bin/env node
// Verify benchmark: how long the start-up check of an application pod takes, against a
// scratch database where the 20 plans of a generated history are applied (by pgphase's
// runner: add-column and concurrent-index plans expanded, renames through their contract).
//   - in-process: verify() --runs times (default 100), next to its parts measured alone in the
//     same loop: a bare `pg` connect + SELECT 1 + disconnect, and verify's one query on an open
//     connection;
//   - as a process: `node bin/pgphase.cjs verify <plans> --database-url …` --process-runs times
//     (default 30), next to `node -e ''`, `node bin/pgphase.cjs --version` (start-up and CLI
//     module loading, no database) and a Node program that only imports `pg` and does
//     connect + SELECT 1;
// each loop alternates its measurements, so machine load affects them alike; warm-ups first.
// Run: `npm run build && node bench/verify.mjs [--runs N] [--process-runs N] [--quick]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  client,
  count,
  flags,
  machine,
  ms,
  pgphase,
  planMigrations,
  ROOT,
  stats,
  table,
  timed,
  withScratchDatabase,
} from './lib.mjs';

const opts = flags({ runs: { type: 'string' }, 'process-runs': { type: 'string' } });
const RUNS = count(opts.runs, 'runs', opts.quick ? 30 : 100);
const PROCESS_RUNS = count(opts['process-runs'], 'process-runs', opts.quick ? 10 : 30);
const PLANS = 20;
const WARMUP = 5;
const { run, verify } = await pgphase();

/** A history of 10 tables and PLANS migrations over them: add column, concurrent index, rename, in turn. */
function history() {
  const tables = Array.from({ length: 10 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
  const files = {
    '001_tables.sql': tables
      .map((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, name text NOT NULL, note text);\n`)
      .join(''),
  };
  const note = new Map(tables.map((t) => [t, 'note']));
  for (let i = 0; i < PLANS; i++) {
    const t = tables[i % tables.length];
    const kind = i % 3;
    let sql;
    if (kind === 0) sql = `ALTER TABLE ${t} ADD COLUMN extra_${i} text;\n`;
    else if (kind === 1) sql = `CREATE INDEX CONCURRENTLY ${t}_name_${i} ON ${t} (name);\n`;
    else {
      sql = `ALTER TABLE ${t} RENAME COLUMN ${note.get(t)} TO note_${i};\n`;
      note.set(t, `note_${i}`);
    }
    files[`${String(i + 2).padStart(3, '0')}_${['add_column', 'index', 'rename'][kind]}_${t}.sql`] = sql;
  }
  return files;
}

/** Wall time of one child process, failing the bench when it does not exit 0. */
function spawnMs(args, env) {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  const elapsed = performance.now() - start;
  if (r.status !== 0)
    throw new Error(
      `bench: node ${args.map((a) => (a.includes('://') ? '<url>' : a)).join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 500)}`,
    );
  return { ms: elapsed, stdout: r.stdout };
}

/** `n` rounds of every measurement in `named` (name → function resolving to ms), alternating; warm-ups not kept. */
async function alternate(named, n) {
  const all = Object.fromEntries(Object.keys(named).map((k) => [k, []]));
  for (let i = -WARMUP; i < n; i++) {
    for (const [name, measure] of Object.entries(named)) {
      const value = await measure();
      if (i >= 0) all[name].push(value);
    }
  }
  return all;
}

const work = mkdtempSync(join(tmpdir(), 'pgphase-bench-verify-'));
const out = await withScratchDatabase(opts['database-url'], async (url) => {
  try {
    const files = history();
    const planned = await planMigrations(work, files, Object.keys(files).slice(1));
    const db = await client(url);
    await db.query(files['001_tables.sql']);
    for (const p of planned) await run({ planDir: p.dir, databaseUrl: url, all: true });
    const phases = (await db.query(`SELECT count(*)::int AS n FROM pgphase.phase_log WHERE status = 'applied'`)).rows[0]
      .n;
    const plansDir = join(work, 'plans');
    const result = await verify({ plansDir, databaseUrl: url });
    if (!result.compatible || result.plans.length !== PLANS)
      throw new Error(`bench: verify does not find the ${PLANS} plans compatible: ${JSON.stringify(result.problems)}`);

    // verify's own reader of the state (the query and its rows), from the build like the API
    const { readShippedPlans, readState } = await import(pathToFileURL(join(ROOT, 'dist/src/runner/verify.js')).href);
    const objects = (await readShippedPlans(plansDir)).flatMap((p) => p.phases.flatMap((phase) => phase.present ?? []));
    const inProcess = await alternate(
      {
        'verify() (connect, read 20 plan.json, one query: phase log and objects, disconnect)': async () =>
          (await timed(() => verify({ plansDir, databaseUrl: url }))).ms,
        '`pg` connect + SELECT 1 + disconnect': async () =>
          (
            await timed(async () => {
              const c = await client(url);
              await c.query('SELECT 1');
              await c.end();
            })
          ).ms,
        "verify's query alone, on an open connection": async () => (await timed(() => readState(db, objects))).ms,
      },
      RUNS,
    );
    await db.end();

    const cli = ['bin/pgphase.cjs', 'verify', plansDir, '--database-url', url];
    if (!spawnMs(cli).stdout.startsWith('compatible'))
      throw new Error('bench: `pgphase verify` does not say compatible');
    const bareConnect = `import pg from 'pg'; const c = new pg.Client(process.env.BENCH_URL); await c.connect(); await c.query('SELECT 1'); await c.end();`;
    const processes = await alternate(
      {
        "`node -e ''`": () => spawnMs(['-e', '']).ms,
        '`node bin/pgphase.cjs --version` (start-up, CLI modules, no database)': () =>
          spawnMs(['bin/pgphase.cjs', '--version']).ms,
        '`node` importing `pg`: connect + SELECT 1': () =>
          spawnMs(['--input-type=module', '-e', bareConnect], { BENCH_URL: url }).ms,
        '`node bin/pgphase.cjs verify <plans> --database-url …`': () => spawnMs(cli).ms,
      },
      PROCESS_RUNS,
    );
    return { inProcess, processes, phases };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- report ----------------------------------------------------------------------------

console.log(await machine(opts['database-url']));
console.log(
  `database: ${PLANS} plans applied (${out.phases} phases in pgphase.phase_log); each loop alternates its measurements after ${WARMUP} warm-up rounds\n`,
);
const rows = [];
for (const [where, all, n] of [
  ['in-process', out.inProcess, RUNS],
  ['process', out.processes, PROCESS_RUNS],
]) {
  for (const [name, values] of Object.entries(all)) {
    const s = stats(values);
    rows.push([`${where}: ${name}`, String(n), ms(s.p50), ms(s.p99), ms(s.max)]);
  }
}
console.log(table(['verify latency', 'runs', 'p50', 'p99', 'max'], rows));
if (PROCESS_RUNS < 100) console.log(`\n(nearest-rank p99 of ${PROCESS_RUNS} process runs is the slowest run)`);
const main = stats(Object.values(out.inProcess)[0]);
console.log(
  `\ngoal: in-process verify < 50 ms: p50 ${ms(main.p50)}, p99 ${ms(main.p99)} — ${main.p99 < 50 ? 'met' : 'NOT met'}`,
);
