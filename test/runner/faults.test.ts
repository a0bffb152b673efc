// The runner under faults, through the real CLI in child processes against real PostgreSQL:
// SIGKILL at seeded random points of every phase of two recipes, then a re-run; two runners
// started together on the same plan. Whatever happens, the end is the schema and the data of
// an uninterrupted run, with every phase recorded once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/plan/manifest.js';
import { plan } from '../../src/plan/index.js';
import type { PhaseName } from '../../src/plan/types.js';
import { runPhase } from '../../src/runner/run.js';
import { readState, type PhaseStatus } from '../../src/runner/state.js';
import { catalog, type Catalog } from '../helpers/catalog.js';
import { BIN, tempTree } from '../helpers/cli.js';
import { resetSchema, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const ROWS = 10_000;
const BATCH = 100;

// `touched` counts the updates of each row: a backfill batch applied twice leaves a 2 behind.
const SCHEMA = `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, n int NOT NULL DEFAULT 0, touched int NOT NULL DEFAULT 0);
CREATE INDEX users_name ON users (name);
CREATE FUNCTION count_updates() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;
CREATE TRIGGER count_updates BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION count_updates();`;
const FILL = `INSERT INTO users (id, name, n) SELECT g, 'user ' || g, g % 7 FROM generate_series(1, ${ROWS}) g`;

interface Recipe {
  name: string;
  dir: string;
  manifest: Manifest;
  phases: PhaseName[];
  /** The schema the original migration produces, applied directly to an empty table. */
  expected: Catalog;
  /** Counts the rows whose data is what an uninterrupted run leaves. */
  correct: string;
}

async function reset(fill = true): Promise<void> {
  await resetSchema(c);
  await c.query(SCHEMA);
  if (fill) await c.query(`${FILL}; ANALYZE users`);
}

async function recipe(name: string, migration: string, correct: string): Promise<Recipe> {
  await reset(false);
  await c.query(migration);
  const expected = await catalog(c);
  const dir = tempTree({ 'm/001_users.sql': SCHEMA, [`m/002_${name}.sql`]: migration });
  const p = await plan({
    file: join(dir, `m/002_${name}.sql`),
    history: join(dir, 'm'),
    out: join(dir, name),
    batchSize: BATCH,
  });
  return { name, dir: p.dir, manifest: p.manifest, phases: p.manifest.phases.map((x) => x.name), expected, correct };
}

// Rename has all four phases (a concurrent index build in expand, a sync trigger, a backfill that
// copies, a contract that drops the old column); add-required-column backfills with the
// migration's own UPDATE, which is not idempotent: applied twice, `score` would show it.
const rename = await recipe(
  'rename',
  'ALTER TABLE users RENAME COLUMN name TO full_name;',
  `full_name = 'user ' || id AND n = id % 7 AND touched = 1`,
);
const required = await recipe(
  'required',
  'ALTER TABLE users ADD COLUMN score int NOT NULL;\nUPDATE users SET score = coalesce(score, 0) + n + 1;',
  `name = 'user ' || id AND score = n + 1 AND touched = 1`,
);

/** A small seeded PRNG (mulberry32): the same seed gives the same kill points. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Cli {
  pid: number;
  exited: () => boolean;
  done: Promise<Exit>;
  kill: () => void;
}

/** Runs the CLI; `onEvent` sees each event the runner reports on stderr (JSON lines: not a terminal) as it comes. */
function cli(args: string[], onEvent?: (event: { type: string }) => void): Cli {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) onEvent?.(JSON.parse(line) as { type: string });
  });
  let finished = false;
  const done = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      finished = true;
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    pid: child.pid!,
    exited: () => finished || child.exitCode !== null,
    done,
    kill: () => void child.kill('SIGKILL'),
  };
}

// the counting trigger must fire on backfill batches too (by default they keep the application's triggers from firing)
const runArgs = (r: Recipe, phase: PhaseName, ...extra: string[]) => [
  'run',
  r.dir,
  phase,
  '--database-url',
  db.url,
  '--batch-size',
  String(BATCH),
  '--backfill-triggers',
  'fire',
  ...extra,
];

/** The phase outcome the runner reported on stderr (as JSON lines: not a terminal). */
function outcome(exit: Exit): string | undefined {
  const events = exit.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; outcome?: string });
  return events.find((e) => e.type === 'phase')?.outcome;
}

/** Waits until `run` has recorded itself as running `phase` (its pid in phase_log.run_by), or has exited. */
async function working(r: Recipe, phase: PhaseName, run: Cli): Promise<boolean> {
  for (;;) {
    if (run.exited()) return false;
    const { rowCount } = await c
      .query(
        `SELECT 1 FROM pgphase.phase_log WHERE plan_id = $1 AND phase = $2 AND status = 'running' AND (run_by->>'pid')::int = $3`,
        [r.manifest.id, phase, run.pid],
      )
      .catch(() => ({ rowCount: 0 })); // no state table yet
    if (rowCount) return true;
    await sleep(5);
  }
}

/** A step done or a batch committed: the points of a phase that the kills are placed after. */
const progress = (e: { type: string }) => e.type === 'step' || e.type === 'batch';

/** How many progress events each phase reports in an uninterrupted run: the range the kills fall in. */
const events = new Map<string, number>();

async function calibrate(r: Recipe): Promise<void> {
  await reset();
  for (const phase of r.phases) {
    let n = 0;
    await runPhase({
      planDir: r.dir,
      databaseUrl: db.url,
      phase,
      batchSize: BATCH,
      backfillTriggers: 'fire',
      onEvent: (e) => void (progress(e) && n++),
    });
    events.set(`${r.name} ${phase}`, n);
  }
  await expectFinal(r, 'uninterrupted');
}

/** The end state of a complete run: schema, data, phase_log, and no runner lock left behind. */
async function expectFinal(r: Recipe, label: string): Promise<void> {
  expect(await catalog(c), `${label}: schema`).toEqual(r.expected);
  const { rows } = await c.query<{ rows: number; correct: number }>(
    `SELECT count(*)::int AS rows, count(*) FILTER (WHERE ${r.correct})::int AS correct FROM users`,
  );
  expect(rows[0], `${label}: data`).toEqual({ rows: ROWS, correct: ROWS });
  const state = await readState(c);
  expect(
    state.map((s) => ({
      plan: s.planId,
      phase: s.phase,
      status: s.status,
      steps: s.stepsDone,
      backfill: s.backfill.map((b) => ({ rows: b.rows, done: b.done, cursor: b.cursor })),
      finished: s.finishedAt !== null,
    })),
    `${label}: phase_log`,
  ).toEqual(
    r.manifest.phases.map((p) => ({
      plan: r.manifest.id,
      phase: p.name,
      status: 'applied',
      // each step once, in plan order
      steps: p.steps.map((s) => s.id),
      // every row changed exactly once by the backfill, counted once
      backfill: (p.backfills ?? []).map(() => ({ rows: ROWS, done: true, cursor: null })),
      finished: true,
    })),
  );
  const locks = await c.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  expect(locks.rowCount, `${label}: runner lock released`).toBe(0);
}

/** Where a kill landed: the phase's recorded status after it, or 'exited' when the runner was done first. */
type Landing = { phase: PhaseName; at: PhaseStatus | 'exited'; steps: number; rows: number };
const landings: Landing[] = [];

/**
 * Starts the phase and kills the runner right after the k-th progress event it reports
 * (k = rand() × those of an uninterrupted run; k = 0: as soon as it records the phase running),
 * and says where the kill landed. Placed by events, not by time, the kills land alike on a fast
 * and on a slow machine.
 */
async function killDuring(r: Recipe, phase: PhaseName, rand: () => number, extra: string[]): Promise<Landing> {
  const k = Math.floor(rand() * events.get(`${r.name} ${phase}`)!);
  let seen = 0;
  let killed = false;
  const kill = () => {
    killed = !run.exited();
    run.kill();
  };
  const run = cli(runArgs(r, phase, ...extra), (e) => progress(e) && ++seen === k && kill());
  if (k === 0 && (await working(r, phase, run))) kill();
  await run.done;
  const mine = (await readState(c, r.manifest.id)).find((s) => s.phase === phase)!;
  const landing: Landing = {
    phase,
    at: killed ? mine.status : 'exited',
    steps: mine.stepsDone.length,
    rows: mine.backfill[0]?.rows ?? 0,
  };
  landings.push(landing);
  return landing;
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe('SIGKILL at seeded random points, then a re-run', () => {
  it('an uninterrupted run of each recipe ends in the expected state, and times its phases', async () => {
    await calibrate(rename);
    await calibrate(required);
  });

  // odd seeds kill rename, even ones add-required-column; the killed phase cycles through the plan
  it.each(SEEDS)('seed %i', async (seed) => {
    const rand = mulberry32(seed);
    const r = seed % 2 ? rename : required;
    const target = r.phases[Math.floor(seed / 2) % r.phases.length]!;
    const label = `seed ${seed} (${r.name}, kill in ${target})`;
    await reset();
    for (const phase of r.phases.slice(0, r.phases.indexOf(target)))
      await runPhase({ planDir: r.dir, databaseUrl: db.url, phase, backfillTriggers: 'fire' });
    let landed = await killDuring(r, target, rand, []);
    // sometimes the re-run is killed as well, while the first one's session may still be ending
    if (rand() < 0.3) landed = await killDuring(r, target, rand, ['--wait', '60s']);
    // the re-run, in this process to save a start-up: it waits for the killed runner's session to end
    const rerun = await runPhase({
      planDir: r.dir,
      databaseUrl: db.url,
      phase: target,
      batchSize: BATCH,
      waitMs: 60_000,
      backfillTriggers: 'fire',
    }).catch((e: Error) => `${label}: ${e.message}`);
    // (a kill that lands during the last write of a phase may see it committed after the kill)
    expect(rerun, label).toMatch(
      landed.at === 'applied' || landed.at === 'exited' ? /^already-applied$/ : /^(already-)?applied$/,
    );
    for (const phase of r.phases.slice(r.phases.indexOf(target) + 1))
      expect(await runPhase({ planDir: r.dir, databaseUrl: db.url, phase, backfillTriggers: 'fire' }), label).toBe(
        'applied',
      );
    await expectFinal(r, label);
  });

  it('the kills landed inside the phases, backfills included', () => {
    // recorded as running: `interrupted` once the killed runner's session has ended, `running` while it still works
    const inside = landings.filter((l) => l.at === 'interrupted' || l.at === 'running');
    // a kill in the middle of a backfill: some batches committed, not all
    expect(
      inside.some((l) => l.phase === 'backfill' && l.rows > 0 && l.rows < ROWS),
      JSON.stringify(landings),
    ).toBe(true);
    expect(inside.length, JSON.stringify(landings)).toBeGreaterThanOrEqual(landings.length / 3);
  });
});

describe('two runners started together on the same plan, 20 times', () => {
  const r = rename;
  let refused = 0;

  // five rounds over the four phases of a fresh plan: 20 pairs
  it.each([1, 2, 3, 4, 5])(
    'round %i: exactly one applies each phase; the other is refused, or waits and finds it applied',
    async (round) => {
      await reset();
      for (const [i, phase] of r.phases.entries()) {
        const n = (round - 1) * r.phases.length + i + 1;
        // every other pair waits for the lock (--wait); the rest use the default, no waiting
        const wait = n % 2 === 0 ? ['--wait', '30s'] : [];
        const label = `pair ${n}: ${phase}${wait.length ? ' with --wait 30s' : ''}`;
        const pair = [
          cli(['run', r.dir, phase, '--database-url', db.url, '--backfill-triggers', 'fire', ...wait]),
          cli(['run', r.dir, phase, '--database-url', db.url, '--backfill-triggers', 'fire', ...wait]),
        ];
        const exits = await Promise.all(pair.map((p) => p.done));
        const winners = pair.filter((_, k) => exits[k]!.code === 0 && outcome(exits[k]!) === 'applied');
        expect(winners.length, `${label}: ${JSON.stringify(exits)}`).toBe(1);
        const other = exits[pair.indexOf(winners[0]!) === 0 ? 1 : 0]!;
        if (other.code === 0) {
          expect([label, outcome(other)]).toEqual([label, 'already-applied']);
        } else {
          expect(wait, label).toEqual([]);
          expect([label, other.code, other.stderr]).toEqual([
            label,
            1,
            expect.stringMatching(
              new RegExp(
                `^pgphase: another pgphase runner holds the lock on this database: pid \\d+ \\([^,]*, pgphase ${r.manifest.id}\\b.*\\); wait for it, or raise --wait\n$`,
              ),
            ),
          ]);
          refused++;
        }
        // one application on record, by the winner, and nothing of the other
        const state = await readState(c, r.manifest.id);
        expect(
          state.map((s) => [s.phase, s.status, s.runBy.pid]),
          label,
        ).toEqual(
          r.phases.slice(0, i + 1).map((p, k) => [p, 'applied', k === i ? winners[0]!.pid : expect.any(Number)]),
        );
      }
      await expectFinal(r, `round ${round}`);
    },
  );

  it('the two really met at the lock', () => {
    expect(refused).toBeGreaterThan(0);
  });
});
