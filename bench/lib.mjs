// What the database benchmarks (backfill, verify, lock-queue) share: their flags, a scratch
// database that is dropped however the run ends, plans made with pgphase's own planner, an
// application workload on a fixed schedule that records every request, percentiles, the
// machine line and markdown tables.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const loadBefore = loadavg()[0];

/** The public API as users get it (the build output), so a bench measures what ships. */
export async function pgphase() {
  const entry = join(ROOT, 'dist', 'src', 'index.js');
  if (!existsSync(entry)) throw new Error('bench: dist/ is missing; run `npm run build` first');
  return import(pathToFileURL(entry).href);
}

/**
 * Flags shared by every bench (`--database-url`, `--quick`) plus the bench's own, all strings
 * or booleans as node:util parseArgs gives them. The server needs rights to create databases;
 * the default is the local development server.
 */
export function flags(options = {}) {
  const { values } = parseArgs({
    options: { 'database-url': { type: 'string' }, quick: { type: 'boolean', default: false }, ...options },
  });
  values['database-url'] ??= process.env.PGPHASE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  return values;
}

/** A flag that must be a positive integer (underscores allowed: --rows 1_000_000). */
export function count(value, name, fallback) {
  if (value === undefined) return fallback;
  const n = Number(String(value).replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bench: --${name} ${value}: expected a positive integer`);
  return n;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function client(url) {
  const c = new pg.Client({ connectionString: url });
  // a connection the server ends (the scratch database dropped under it after a failure) must
  // not crash the run with an unhandled 'error' event and hide that failure; queries still reject
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/**
 * Runs `work` against a new database pgphase_bench_<random> on the server of `adminUrl`, and
 * drops it afterwards: when `work` returns or throws, and on Ctrl-C or SIGTERM, so that an
 * interrupted run leaves no gigabyte of benchmark rows behind.
 */
export async function withScratchDatabase(adminUrl, work) {
  const name = `pgphase_bench_${randomBytes(5).toString('hex')}`;
  const admin = await client(adminUrl);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropping;
  const drop = () =>
    (dropping ??= admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => admin.end()));
  const onSignal = (signal) => {
    console.error(`\nbench: ${signal}, dropping ${name}`);
    void drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await work(url.toString());
  } finally {
    await drop();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/**
 * Plans migrations with pgphase's planner, as `pgphase plan` would: `files` (name → SQL) is the
 * migration history written to `<dir>/migrations`; each file named in `planned` is planned on
 * top of the ones before it into `<dir>/plans/<id>`. Resolves to the plan results, in order.
 */
export async function planMigrations(dir, files, planned) {
  const { plan } = await pgphase();
  const history = join(dir, 'migrations');
  mkdirSync(history, { recursive: true });
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(history, file), sql);
  const results = [];
  for (const file of planned) {
    const id = file.replace(/\.sql$/, '');
    results.push(await plan({ file: join(history, file), history, out: join(dir, 'plans', id) }));
  }
  return results;
}

/**
 * An application: `clients` connections, each sending request `i` — the queries of
 * `request(client, i)`, one after the other — at its scheduled time, one every `periodMs`,
 * until stopped. A request's latency runs from its scheduled time, not from when it was sent:
 * a connection stalled on a lock for 5 s delays every request due meanwhile, and each of them
 * counts the wait it saw (no coordinated omission; a closed loop would record one slow query
 * and hide the stall from every percentile). Each request is recorded with its scheduled time
 * (performance.now()), latency and errors, so that a bench can cut the run into windows.
 */
export async function startWorkload(url, { clients = 2, periodMs = 20, request }) {
  const samples = [];
  let running = true;
  const loops = [];
  const connections = await Promise.all(Array.from({ length: clients }, () => client(url)));
  const start = performance.now();
  const onSchedule = connections.map(() => 0); // when each connection last had to wait for its next request
  for (const [c, db] of connections.entries()) {
    loops.push(
      (async () => {
        // the connections' schedules are staggered across the period
        for (let i = 0; running; i++) {
          const at = start + (i + c / clients) * periodMs;
          const wait = at - performance.now();
          if (wait > 0) {
            onSchedule[c] = performance.now();
            await sleep(wait);
          }
          if (!running) break;
          const errors = [];
          for (const [text, values] of request(c, i)) await db.query(text, values).catch((e) => errors.push(e.message));
          samples.push({ at, ms: performance.now() - at, errors });
        }
      })().finally(() => db.end()),
    );
  }
  let stopped;
  return {
    samples,
    stop: () => {
      running = false;
      return (stopped ??= Promise.all(loops));
    },
    /**
     * Resolves once every connection has caught up with its schedule: after a stall, the
     * requests due meanwhile run back to back, and a window that starts before they are done
     * would charge that backlog to whatever it measures.
     */
    async caughtUp(timeoutMs = 30_000) {
      const since = performance.now();
      while (onSchedule.some((t) => t < since)) {
        if (performance.now() - since > timeoutMs)
          throw new Error(
            `bench: the workload has not caught up with its schedule in ${timeoutMs} ms; the machine is too busy for this rate`,
          );
        await sleep(10);
      }
    },
    /** The requests scheduled in [from, to): their latencies and the errors of their queries. */
    window(from, to) {
      const mine = samples.filter((s) => s.at >= from && s.at < to);
      return { latencies: mine.map((s) => s.ms), errors: mine.flatMap((s) => s.errors) };
    },
  };
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN for none. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function stats(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length ? values.reduce((a, b) => Math.max(a, b)) : NaN,
  };
}

/** Wall time of `work` in milliseconds, with its result. */
export async function timed(work) {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

export function ms(value) {
  if (Number.isNaN(value)) return '–';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

export const int = (n) => Math.round(n).toLocaleString('en');

/** A markdown table: the first column left-aligned, the others right-aligned. */
export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** The machine line: cores, CPU, Node, the PostgreSQL server and the settings that move these numbers, load. */
export async function machine(url) {
  const db = await client(url);
  try {
    const { rows } = await db.query(
      `SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('autovacuum') AS autovacuum`,
    );
    const s = rows[0];
    const cpu = cpus();
    return (
      `machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, PostgreSQL ${s.version} ` +
      `(shared_buffers ${s.shared_buffers}, synchronous_commit ${s.synchronous_commit}, autovacuum ${s.autovacuum}); ` +
      `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`
    );
  } finally {
    await db.end();
  }
}
