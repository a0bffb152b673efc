#!/usr/bin/env node
// Lock-queue benchmark: how long application queries stall when an expand step (ADD COLUMN,
// which needs ACCESS EXCLUSIVE) arrives while a long transaction holds ACCESS SHARE on a busy
// table. PostgreSQL queues every later lock request on the table behind the waiting ALTER, so
// the application waits as long as the ALTER does:
//   - plain: the plan's step SQL run as a migration tool would, without lock_timeout: it waits
//     for the long transaction, and every application query behind it waits too;
//   - pgphase: run({ phase: 'expand' }) with each of --lock-timeouts (default 200ms and the
//     plan's 2s): each attempt gives up after lock_timeout and retries with backoff, so the
//     queue drains between attempts and the application stalls about one lock_timeout at most.
// Each round: the long transaction (BEGIN; SELECT sum(…)) opens, the step starts 300 ms later,
// the long transaction commits after --hold (default 5 s); --rounds rounds (default 3), the
// modes alternating, the column dropped again between runs (rollback() for pgphase).
// A request's stall is its latency from its scheduled time (see startWorkload in lib.mjs); the
// window of a run is from the step's start to 300 ms after it finished.
// Run: `npm run build && node bench/lock-queue.mjs [--lock-timeouts 200ms,2s] [--rounds N] [--hold 5s] [--quick]`.
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
  pgphase,
  planMigrations,
  sleep,
  startWorkload,
  stats,
  table,
  withScratchDatabase,
} from './lib.mjs';

const { parseDuration, rollback, run } = await pgphase();
const opts = flags({ 'lock-timeouts': { type: 'string' }, rounds: { type: 'string' }, hold: { type: 'string' } });
const duration = (text, name) => {
  const value = parseDuration(text);
  if (value === undefined || value <= 0)
    throw new Error(`bench: --${name} ${text}: expected a duration like 200ms or 5s`);
  return value;
};
const LOCK_TIMEOUTS = (opts['lock-timeouts'] ?? '200ms,2s')
  .split(',')
  .map((t) => ({ text: t.trim(), ms: duration(t.trim(), 'lock-timeouts') }));
const ROUNDS = count(opts.rounds, 'rounds', opts.quick ? 1 : 3);
const HOLD_MS = duration(opts.hold ?? (opts.quick ? '3s' : '5s'), 'hold');
const ROWS = 100_000;
const IDLE_MS = opts.quick ? 1000 : 3000;
const WORKLOAD = { clients: 4, periodMs: 20 };
const SETUP = `CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance_cents bigint NOT NULL DEFAULT 0);\n`;

/** The application: a point read and a point update by primary key. */
const app = () => {
  const id = 1 + Math.floor(Math.random() * ROWS);
  return [
    ['SELECT owner, balance_cents FROM accounts WHERE id = $1', [id]],
    ['UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = $1', [id]],
  ];
};

/**
 * One run of `step` (resolving to its attempts) behind a long transaction, while the workload
 * runs; resolves to the step's attempts and duration, and the span of the run's window.
 */
async function behindLongTransaction(url, w, step) {
  await w.caughtUp();
  const long = await client(url);
  try {
    await long.query('BEGIN');
    await long.query('SELECT sum(balance_cents) FROM accounts'); // a report: ACCESS SHARE until COMMIT
    await sleep(300);
    const from = performance.now();
    const stepDone = step().then((attempts) => ({ attempts, ms: performance.now() - from }));
    stepDone.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    await sleep(Math.max(0, HOLD_MS - 300));
    await long.query('COMMIT');
    const result = await stepDone;
    await sleep(300);
    return { ...result, from, to: performance.now() };
  } finally {
    await long.end();
  }
}

const work = mkdtempSync(join(tmpdir(), 'pgphase-bench-lock-queue-'));
const out = await withScratchDatabase(opts['database-url'], async (url) => {
  try {
    // planning also loads the SQL parser in this process, before any window is measured
    const [planned] = await planMigrations(
      work,
      { '001_accounts.sql': SETUP, '002_note.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n' },
      ['002_note.sql'],
    );
    const expand = planned.manifest.phases.find((p) => p.name === 'expand');
    if (expand.steps.length !== 1)
      throw new Error(`bench: the plan's expand phase has ${expand.steps.length} steps, expected one ADD COLUMN`);
    const { sql, down } = expand.steps[0];
    const db = await client(url);
    await db.query(SETUP);
    await db.query(`INSERT INTO accounts SELECT g, 'owner ' || g, g % 10000 FROM generate_series(1, ${ROWS}) g`);
    await db.query('VACUUM ANALYZE accounts');

    const w = await startWorkload(url, { ...WORKLOAD, request: app });
    const runs = { plain: [], ...Object.fromEntries(LOCK_TIMEOUTS.map((t) => [t.text, []])) };
    const idle = {};
    try {
      await sleep(300);
      idle.from = performance.now();
      await sleep(IDLE_MS);
      idle.to = performance.now();
      for (let round = 0; round < ROUNDS; round++) {
        process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
        runs.plain.push(await behindLongTransaction(url, w, () => db.query(sql).then(() => 1)));
        await db.query(down);
        for (const timeout of LOCK_TIMEOUTS) {
          let attempts = 0;
          const onEvent = (e) => e.type === 'step' && (attempts = e.attempts);
          // more retries than the default 10: a hold longer than the backoff's reach would fail the step, not measure it
          runs[timeout.text].push(
            await behindLongTransaction(url, w, () =>
              run({
                planDir: planned.dir,
                databaseUrl: url,
                phase: 'expand',
                lockTimeout: timeout.text,
                retries: 20,
                onEvent,
              }).then(() => attempts),
            ),
          );
          await rollback({ planDir: planned.dir, databaseUrl: url, phase: 'expand' });
        }
      }
    } finally {
      await w.stop();
      await db.end();
    }
    // cut only now that every request has completed: the last ones stalled behind the step may complete after its window
    const cut = (span) => ({ ...span, window: w.window(span.from, span.to) });
    return {
      idle: cut(idle).window,
      runs: Object.fromEntries(Object.entries(runs).map(([k, list]) => [k, list.map(cut)])),
      sql,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// ---- report ----------------------------------------------------------------------------

console.log(await machine(opts['database-url']));
console.log(
  `table: accounts, ${int(ROWS)} rows; workload: ${WORKLOAD.clients} connections, each sending a request (SELECT by id, UPDATE by id) every ${WORKLOAD.periodMs} ms on a fixed schedule; a request's stall is its latency from its scheduled time\n` +
    `step: ${out.sql} (ACCESS EXCLUSIVE), started 300 ms after a long transaction took ACCESS SHARE, which commits after ${ms(HOLD_MS)}; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}\n`,
);
const errors = [
  out.idle,
  ...Object.values(out.runs)
    .flat()
    .map((r) => r.window),
].reduce((n, w) => n + w.errors.length, 0);
const rows = [['idle (no migration)', '–', '–', ...cells(out.idle, undefined)]];
function cells(window, timeoutMs) {
  const s = stats(window.latencies);
  return [
    int(s.n),
    ms(s.p50),
    ms(s.p99),
    ms(s.max),
    timeoutMs === undefined ? '–' : `${(s.max / timeoutMs).toFixed(2)}×`,
    String(window.errors.length),
  ];
}
const merged = (list) => ({
  latencies: list.flatMap((r) => r.window.latencies),
  errors: list.flatMap((r) => r.window.errors),
});
const stepCells = (list) => [list.map((r) => ms(r.ms)).join(', '), list.map((r) => r.attempts).join(', ')];
rows.push([
  'plain ALTER TABLE, no lock_timeout',
  ...stepCells(out.runs.plain),
  ...cells(merged(out.runs.plain), undefined),
]);
for (const t of LOCK_TIMEOUTS)
  rows.push([
    `pgphase run(expand), lock_timeout ${t.text} + retries`,
    ...stepCells(out.runs[t.text]),
    ...cells(merged(out.runs[t.text]), t.ms),
  ]);
console.log(
  table(
    [
      'application requests while the step waits',
      'step done after (per round)',
      'attempts',
      'requests',
      'p50 stall',
      'p99 stall',
      'max stall',
      'max / lock_timeout',
      'errors',
    ],
    rows,
  ),
);
console.log('\ngoal: application stall with pgphase < 2× lock_timeout:');
for (const t of LOCK_TIMEOUTS) {
  const max = stats(merged(out.runs[t.text]).latencies).max;
  const plain = stats(merged(out.runs.plain).latencies).max;
  console.log(
    `- lock_timeout ${t.text}: max stall ${ms(max)} = ${(max / t.ms).toFixed(2)}× — ${max < 2 * t.ms ? 'met' : 'NOT met'} (plain ALTER TABLE: ${ms(plain)} = ${(plain / t.ms).toFixed(1)}×)`,
  );
}
console.log(`- application errors: ${errors}`);
if (errors) process.exitCode = 1;
