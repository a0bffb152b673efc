#!/usr/bin/env node
// Backfill benchmark: the backfill phase of a planned column rename (pgphase's keyset batches,
// one short transaction each, with the plan's sync trigger installed as in a real rename)
// against one `UPDATE … SET full_name = name` statement on an identical table, in the same run
// and scratch database, while an application workload runs on the table being changed:
//   1. rows/s of both on --rows rows (default 1,000,000), and of the single UPDATE with the
//      sync trigger installed too, which separates the trigger's cost from the batching's;
//   2. the workload's latency idle vs during each (the single UPDATE holds the row lock of
//      every row it changed until it commits: application writes to those rows wait);
//   3. how batch size and target batch time move the trade-off, on --settings-rows rows
//      (default 200,000), and the same comparison without the workload.
// Every run gets a fresh table, prepared identically: same rows, same two indexes, the same
// expand step of the same plan (ADD COLUMN full_name text), VACUUM ANALYZE, then a CHECKPOINT.
// Run: `npm run build && node bench/backfill.mjs [--rows N] [--settings-rows N] [--rounds N] [--quick]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  client,
  count,
  flags,
  int,
  machine,
  ms,
  percentile,
  pgphase,
  planMigrations,
  sleep,
  startWorkload,
  stats,
  table,
  timed,
  withScratchDatabase,
} from './lib.mjs';

const opts = flags({ rows: { type: 'string' }, 'settings-rows': { type: 'string' }, rounds: { type: 'string' } });
const ROWS = count(opts.rows, 'rows', opts.quick ? 100_000 : 1_000_000);
const SETTINGS_ROWS = count(opts['settings-rows'], 'settings-rows', opts.quick ? 50_000 : 200_000);
// rounds of the main comparison, each in the same order; on a shared machine, more rounds show how much load moved the numbers
const ROUNDS = count(opts.rounds, 'rounds', 1);
const IDLE_MS = opts.quick ? 2000 : 5000;
const SETTINGS_IDLE_MS = opts.quick ? 1000 : 2000;
// What is measured, each on a fresh table: a single UPDATE, with or without the sync trigger,
// or pgphase's backfill (trigger installed) with runner options.
const UPDATE = { label: 'single UPDATE, no trigger (baseline)', trigger: false };
const UPDATE_TRIGGER = { label: 'single UPDATE, sync trigger installed', trigger: true };
const backfillWith = (label, options) => ({ label: `pgphase backfill, ${label}`, trigger: true, options });
const DEFAULT = backfillWith('adaptive, target 100 ms (default)', {});
// the runner's knobs: batchSize fixes the batch size (no adaptation); targetBatchMs steers an
// adaptive size (starting at the plan's 1,000 rows) toward that transaction time
const SETTINGS = [
  UPDATE,
  UPDATE_TRIGGER,
  DEFAULT,
  backfillWith('adaptive, target 50 ms', { targetBatchMs: 50 }),
  backfillWith('adaptive, target 200 ms', { targetBatchMs: 200 }),
  backfillWith('adaptive, target 1 s', { targetBatchMs: 1000 }),
  backfillWith('fixed 1,000 rows', { batchSize: 1000 }),
  backfillWith('fixed 10,000 rows', { batchSize: 10_000 }),
];
const WORKLOAD = { clients: 4, periodMs: 50 };
const { run } = await pgphase();

const createTable = (t) => `CREATE TABLE ${t} (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'active',
  balance_cents bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * A table of `rows` customers with the rename planned by pgphase (in `work/<table>`) and its
 * expand phase applied; with `trigger`, the trigger phase too. Resolves to the plan directory.
 */
async function prepare(url, work, t, rows, trigger) {
  const [planned] = await planMigrations(
    join(work, t),
    {
      [`001_${t}.sql`]: createTable(t),
      [`002_rename_${t}.sql`]: `ALTER TABLE ${t} RENAME COLUMN name TO full_name;\n`,
    },
    [`002_rename_${t}.sql`],
  );
  const db = await client(url);
  try {
    await db.query(createTable(t));
    await db.query(
      `INSERT INTO ${t} (id, name, email, status, balance_cents, created_at)
       SELECT g, 'customer ' || g, 'c' || g || '@example.com', (ARRAY['active', 'trial', 'closed'])[1 + g % 3], g % 100000, now() - g * interval '1 minute'
         FROM generate_series(1, ${rows}) g`,
    );
    // as a table in service would be: visibility map set, statistics (the runner's row estimate) current
    await db.query(`VACUUM ANALYZE ${t}`);
  } finally {
    await db.end();
  }
  for (const phase of trigger ? ['expand', 'trigger'] : ['expand'])
    await run({ planDir: planned.dir, databaseUrl: url, phase });
  return planned.dir;
}

/** The old application version: a point read, a write of the renamed column and an insert, by primary key. */
const oldVersion = (t, rows) => (c, i) => {
  const id = 1 + Math.floor(Math.random() * rows);
  const fresh = 100_000_000 + c * 10_000_000 + i; // past every existing key, unique per client
  return [
    [`SELECT id, name, email, status FROM ${t} WHERE id = $1`, [id]],
    [`UPDATE ${t} SET name = $1 WHERE id = $2`, [`customer ${id} (edited)`, id]],
    [`INSERT INTO ${t} (id, name, email) VALUES ($1, $2, $3)`, [fresh, `customer ${fresh}`, `c${fresh}@example.com`]],
  ];
};

const NO_WORKLOAD = { window: () => ({ latencies: [], errors: [] }), stop: async () => undefined };

/**
 * Runs `change` on table `t` while the workload runs on it (unless `workload` is false): the
 * workload's idle window first, then the change. Resolves to the change's wall time and
 * result, and both windows.
 */
async function measure(url, t, rows, idleMs, workload, change) {
  process.stderr.write(`measuring ${t}\n`);
  const db = await client(url);
  await db.query('CHECKPOINT'); // nobody pays for the previous measurement's dirty pages
  await db.end();
  const w = workload ? await startWorkload(url, { ...WORKLOAD, request: oldVersion(t, rows) }) : NO_WORKLOAD;
  let idleFrom, from, to, timing;
  try {
    if (workload) await sleep(300); // connections warm
    idleFrom = performance.now();
    if (workload) await sleep(idleMs);
    from = performance.now();
    timing = await timed(change);
    to = performance.now();
  } finally {
    await w.stop();
  }
  // cut only now: a request that waited on the change's locks completes after the change
  return { ...timing, idle: w.window(idleFrom, from), during: w.window(from, to) };
}

/** One autocommit statement on `db`, a connection opened beforehand; resolves to the rows changed. */
const singleUpdate = (db, t) => async () =>
  (await db.query(`UPDATE ${t} SET full_name = name WHERE full_name IS DISTINCT FROM name`)).rowCount;

/** pgphase's backfill phase, as `pgphase run backfill` runs it; resolves to rows changed and its batches. */
const backfill =
  (url, planDir, options = {}) =>
  async () => {
    const batches = [];
    await run({
      planDir,
      databaseUrl: url,
      phase: 'backfill',
      ...options,
      onEvent: (e) => e.type === 'batch' && batches.push(e),
    });
    return { rows: batches.at(-1)?.done ?? 0, batches };
  };

const rowsChanged = (m) => (typeof m.result === 'number' ? m.result : m.result.rows);
const rate = (m) => rowsChanged(m) / (m.ms / 1000);

const work = mkdtempSync(join(tmpdir(), 'pgphase-bench-backfill-'));
const out = await withScratchDatabase(opts['database-url'], async (url) => {
  /**
   * Each of `runs`, on a fresh table of `rows` rows, `rounds` times; the first two runs are the
   * single UPDATEs that the others (of the same round) are compared with.
   */
  async function section(prefix, rows, idleMs, workload, runs, rounds = 1) {
    const results = [];
    for (let round = 1; round <= rounds; round++) {
      const mine = [];
      for (const [i, r] of runs.entries()) {
        const t = `${prefix}_${round}_${i}`;
        const dir = await prepare(url, work, t, rows, r.trigger);
        const db = await client(url);
        const m = await measure(
          url,
          t,
          rows,
          idleMs,
          workload,
          r.options ? backfill(url, dir, r.options) : singleUpdate(db, t),
        ).finally(() => db.end());
        mine.push({ label: rounds > 1 ? `${r.label} (round ${round})` : r.label, m });
        await drop(t);
      }
      results.push(...mine.map((x) => ({ ...x, update: mine[0].m, trigger: mine[1].m })));
    }
    return results;
  }
  // dropped once measured: keeps the scratch database, and the next CHECKPOINT, small
  const drop = async (t) => {
    const db = await client(url);
    await db.query(`DROP TABLE ${t}`);
    await db.end();
  };
  try {
    return {
      main: await section('customers', ROWS, IDLE_MS, true, [UPDATE, UPDATE_TRIGGER, DEFAULT], ROUNDS),
      settings: await section('settings', SETTINGS_ROWS, SETTINGS_IDLE_MS, true, SETTINGS),
      // the application's CPU use slows a backfill but hardly a single UPDATE, behind whose row locks it waits
      alone: await section('alone', SETTINGS_ROWS, 0, false, [UPDATE, UPDATE_TRIGGER, DEFAULT]),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- report ----------------------------------------------------------------------------

function print(runs) {
  const rows = runs.map(({ label, m, update, trigger }) => {
    const [idle, during] = [stats(m.idle.latencies), stats(m.during.latencies)];
    const bs = m.result.batches?.map((b) => b.rows) ?? [];
    return [
      label,
      ms(m.ms),
      int(rowsChanged(m)),
      int(rate(m)),
      `${(rate(m) / rate(update)).toFixed(2)}×`,
      `${(rate(m) / rate(trigger)).toFixed(2)}×`,
      bs.length
        ? `${bs.length}: ${int(bs[0])} → ${int(Math.max(...bs))} (${int(percentile(bs, 50))}), ${ms(
            percentile(
              m.result.batches.map((b) => b.ms),
              50,
            ),
          )}`
        : '1 statement',
      `${ms(idle.p50)} → ${ms(during.p50)}`,
      `${ms(idle.p99)} → ${ms(during.p99)}`,
      ms(during.max),
      String(m.idle.errors.length + m.during.errors.length),
    ];
  });
  const headers = [
    'run',
    'wall time',
    'rows changed',
    'rows/s',
    'vs single UPDATE',
    'vs single UPDATE + trigger',
    'batches: rows first → max (median), median batch time',
    'app p50 idle → during',
    'app p99 idle → during',
    'app max during',
    'app errors',
  ];
  console.log(table(headers, rows));
}

// per round, then the median over the rounds
const backfills = out.main.filter((_, i) => i % 3 === 2);
const median = (f) => {
  const v = backfills.map(f).sort((a, b) => a - b);
  return (v[(v.length - 1) >> 1] + v[v.length >> 1]) / 2;
};
const speed = {
  update: median((r) => rate(r.m) / rate(r.update)),
  trigger: median((r) => rate(r.m) / rate(r.trigger)),
};
const p99Ratio = median((r) => stats(r.m.during.latencies).p99 / stats(r.m.idle.latencies).p99);
const over = ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : '';
const all = [...out.main, ...out.settings, ...out.alone].map((r) => r.m);
const errors = all.flatMap((m) => [...m.idle.errors, ...m.during.errors]);
const verdict = (ok) => (ok ? 'met' : 'NOT met');

console.log(await machine(opts['database-url']));
console.log(
  `table: customers (id bigint primary key, name, email unique, status, balance_cents, created_at); migration: RENAME COLUMN name TO full_name\n` +
    `workload: ${WORKLOAD.clients} connections of the old application version, each sending a request (SELECT by id, UPDATE name by id, INSERT with a new key) every ${WORKLOAD.periodMs} ms on a fixed schedule; ` +
    `a request's latency counts from its scheduled time; idle = the ${ms(IDLE_MS)} (settings: ${ms(SETTINGS_IDLE_MS)}) before the change, on the same table\n` +
    "single UPDATE: `UPDATE customers SET full_name = name WHERE full_name IS DISTINCT FROM name` (the backfill's change as one autocommit statement) on a table " +
    "prepared identically (full_name added by the same expand step), with or without the plan's sync trigger; timed from sending the statement to its commit.\n" +
    "pgphase backfill: `run({ phase: 'backfill' })` wall time, including its connections, runner lock and state, each batch committing its cursor.\n",
);
console.log(`${int(ROWS)} rows:\n`);
print(out.main);
console.log(`\nbatch size and target batch time, ${int(SETTINGS_ROWS)} rows:\n`);
print(out.settings);
console.log(`\nwithout the workload (what batching itself costs), ${int(SETTINGS_ROWS)} rows:\n`);
print(out.alone);
console.log(`\ngoals (${int(ROWS)} rows${over}):`);
console.log(
  `- backfill rows/s ≥ 80% of the single UPDATE's: ${(speed.update * 100).toFixed(0)}% — ${verdict(speed.update >= 0.8)} (${(speed.trigger * 100).toFixed(0)}% of the single UPDATE with the same sync trigger)`,
);
console.log(`- workload p99 during the backfill < 3× idle: ${p99Ratio.toFixed(2)}× — ${verdict(p99Ratio < 3)}`);
console.log(`- 0 workload errors (every window above): ${errors.length} — ${verdict(errors.length === 0)}`);
for (const e of [...new Set(errors)].slice(0, 5)) console.log(`  error: ${e}`);
console.log(
  `totals: ${all.length} runs, ${int(all.reduce((n, m) => n + rowsChanged(m), 0))} rows changed in ${ms(all.reduce((n, m) => n + m.ms, 0))}; ${int(all.reduce((n, m) => n + m.idle.latencies.length + m.during.latencies.length, 0))} workload requests`,
);
if (errors.length) process.exitCode = 1;
