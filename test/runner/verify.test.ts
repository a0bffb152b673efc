import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Manifest } from '../../src/plan/manifest.js';
import { plan } from '../../src/plan/index.js';
import type { PhaseName } from '../../src/plan/types.js';
import { type AddressInfo, connect as connectSocket, createServer } from 'node:net';
import { ConnectionError, DatabaseError } from '../../src/errors.js';
import { runAll, runPhase } from '../../src/runner/run.js';
import type { PhaseStatus } from '../../src/runner/state.js';
import { ensureState } from '../../src/runner/state.js';
import { verify } from '../../src/runner/verify.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

// Five migrations of one application, planned with the real planner into `all/`.
const root = tempTree({
  'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int);',
  'm/002_email.sql': 'ALTER TABLE users ADD COLUMN email text;', // expand only
  'm/003_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;', // expand, trigger, backfill, contract
  'm/004_drop_age.sql': 'ALTER TABLE users DROP COLUMN age;', // contract only
  'm/005_rename_email.sql': 'ALTER TABLE users RENAME COLUMN email TO mail;', // a newer release's plan
});
const manifests = new Map<string, Manifest>();
for (const id of ['002_email', '003_rename', '004_drop_age', '005_rename_email']) {
  const result = await plan({
    file: join(root, `m/${id}.sql`),
    history: join(root, 'm'),
    out: join(root, `all/${id}`),
  });
  manifests.set(id, result.manifest);
}

/** A plans directory shipping the given plans (copies of the planned directories). */
function release(name: string, ids: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const id of ids) cpSync(join(root, 'all', id), join(dir, id), { recursive: true });
  return dir;
}

const r1 = release('release-1', ['002_email', '003_rename']);
const r2 = release('release-2', ['002_email', '003_rename', '005_rename_email']);

/** What the runner records for a phase, written directly. */
async function record(
  planId: string,
  phase: PhaseName,
  options: { status?: PhaseStatus; checksum?: string; steps?: string[] } = {},
): Promise<void> {
  await ensureState(c);
  const sha = options.checksum ?? manifests.get(planId)!.phases.find((p) => p.name === phase)!.sha256;
  await c.query(
    `INSERT INTO pgphase.phase_log (plan_id, phase, checksum, status, steps_done, run_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      planId,
      phase,
      sha,
      options.status ?? 'applied',
      options.steps ?? [],
      JSON.stringify({ user: 'deployer', host: 'ci-1', pid: 42, version: '0.1.0' }),
    ],
  );
  if ((options.status ?? 'applied') === 'applied' && manifests.has(planId)) await createPresent(planId, phase);
}

/** A session holding the runner lock (src/runner/lock.ts), as a runner does while it works; `release` lets go. */
async function runnerAtWork(): Promise<{ release: () => Promise<void> }> {
  const session = await db.client();
  expect((await session.query(`SELECT pg_try_advisory_lock(${0x70677068}, 1) AS ok`)).rows[0]).toEqual({ ok: true });
  return { release: async () => void (await session.query(`SELECT pg_advisory_unlock(${0x70677068}, 1)`)) };
}

const pgphaseSchema = async () =>
  (await c.query<{ s: string | null }>(`SELECT to_regnamespace('pgphase')::text AS s`)).rows[0]!.s;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an applied phase leaves in the schema: the objects its plan.json lists (verify looks them up). */
async function createPresent(planId: string, phase: PhaseName): Promise<void> {
  const present = manifests.get(planId)!.phases.find((p) => p.name === phase)?.present ?? [];
  for (const o of present) {
    if (o.kind === 'column') await c.query(`ALTER TABLE ${o.table} ADD COLUMN IF NOT EXISTS ${o.name} ${o.type}`);
    if (o.kind === 'function')
      await c.query(
        `CREATE OR REPLACE FUNCTION ${o.name}() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'`,
      );
    if (o.kind === 'trigger')
      await c.query(
        `DROP TRIGGER IF EXISTS ${o.name} ON ${o.table}; CREATE TRIGGER ${o.name} BEFORE INSERT ON ${o.table} FOR EACH ROW EXECUTE FUNCTION pgphase_test_noop()`,
      );
  }
}

beforeEach(async () => {
  await c.query('DROP SCHEMA IF EXISTS pgphase CASCADE');
  await c.query(
    `DROP TABLE IF EXISTS users CASCADE; CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int)`,
  );
  for (const o of [...manifests.values()].flatMap((m) => m.phases.flatMap((p) => p.present ?? []))) {
    if (o.kind === 'function') await c.query(`DROP FUNCTION IF EXISTS ${o.name}()`);
  }
  await c.query(
    `CREATE OR REPLACE FUNCTION pgphase_test_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'`,
  );
});

describe('verify', () => {
  it('the plans are what the tests assume', () => {
    const phases = (id: string) => manifests.get(id)!.phases.map((p) => p.name);
    expect(phases('002_email')).toEqual(['expand']);
    expect(phases('003_rename')).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect(phases('004_drop_age')).toEqual(['contract']);
  });

  it('(a) is compatible when every shipped plan has the phases the release deploys after: expand, and trigger where there is one', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result).toEqual({
      compatible: true,
      problems: [],
      plans: [
        { id: '002_email', shipped: true, applied: ['expand'] },
        { id: '003_rename', shipped: true, applied: ['expand', 'trigger'] },
      ],
    });
  });

  it('(b) is incompatible when a shipped plan with a trigger is only expanded: the backfill would overwrite what the release writes to the new column', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.problems).toEqual([
      { plan: '003_rename', kind: 'missing', message: 'migration job has not run plan 003_rename trigger yet' },
    ]);
    await record('003_rename', 'trigger', { status: 'failed' });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems[0]!.message).toBe(
      'migration job has not run plan 003_rename trigger yet (its last run failed)',
    );
  });

  it('(a) stays compatible as the shipped plans go further, up to their contract', async () => {
    await record('002_email', 'expand');
    for (const phase of ['expand', 'trigger', 'backfill', 'contract'] as const) await record('003_rename', phase);
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(true);
    expect(result.plans[1]).toEqual({
      id: '003_rename',
      shipped: true,
      applied: ['expand', 'trigger', 'backfill', 'contract'],
    });
  });

  it('(b) is incompatible when a shipped plan is not expanded, naming it', async () => {
    await record('002_email', 'expand');
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(false);
    expect(result.problems).toEqual([
      {
        plan: '003_rename',
        kind: 'missing',
        message: 'migration job has not run plan 003_rename expand and trigger yet',
      },
    ]);
    expect(result.plans[1]).toEqual({ id: '003_rename', shipped: true, applied: [] });
  });

  it('(b) counts only an applied phase: running, interrupted, failed and rolled back are not', async () => {
    await record('002_email', 'expand', { status: 'running' });
    await record('003_rename', 'expand', { status: 'rolled_back' });
    const runner = await runnerAtWork();
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.problems.map((p) => p.message)).toEqual([
      'migration job has not run plan 002_email expand yet (it is running)',
      'migration job has not run plan 003_rename expand and trigger yet (it was rolled back)',
    ]);
    // recorded as running, but no session holds the runner lock: its runner is gone
    await runner.release();
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems[0]!.message).toBe(
      'migration job has not run plan 002_email expand yet (it was interrupted; re-run `pgphase run <plan-dir> expand` to resume)',
    );
    await c.query(`UPDATE pgphase.phase_log SET status = 'failed' WHERE plan_id = '002_email'`);
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems[0]!.message).toBe(
      'migration job has not run plan 002_email expand yet (its last run failed)',
    );
  });

  it('(c) is compatible with a newer plan the release does not know that is only expanded (an application rollback)', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    await record('005_rename_email', 'expand');
    await record('005_rename_email', 'trigger');
    await record('005_rename_email', 'backfill');
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(true);
    expect(result.plans).toContainEqual({
      id: '005_rename_email',
      shipped: false,
      applied: ['expand', 'trigger', 'backfill'],
    });
  });

  it('(d) is incompatible once a newer plan unknown to the release is contracted, naming it', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    for (const phase of ['expand', 'trigger', 'backfill', 'contract'] as const) await record('005_rename_email', phase);
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(false);
    expect(result.problems).toEqual([
      {
        plan: '005_rename_email',
        kind: 'contracted',
        message: 'plan 005_rename_email was contracted by a newer release: this version can no longer run',
      },
    ]);
    // the newer release itself ships that plan: compatible
    expect((await verify({ plansDir: r2, databaseUrl: db.url })).compatible).toBe(true);
  });

  it('(d) counts a contract that is running, interrupted or failed after dropping something, not one that failed before any step', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    await record('005_rename_email', 'contract', { status: 'failed' });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).compatible).toBe(true);
    await c.query(`UPDATE pgphase.phase_log SET status = 'running' WHERE plan_id = '005_rename_email'`);
    const messages = async () =>
      (await verify({ plansDir: r1, databaseUrl: db.url })).problems.map((p) => [p.kind, p.message]);
    const runner = await runnerAtWork();
    expect(await messages()).toEqual([
      ['contracted', 'plan 005_rename_email is being contracted by a newer release: this version can no longer run'],
    ]);
    // interrupted before a step was recorded: nothing known dropped, but it resumes when run again
    await runner.release();
    expect(await messages()).toEqual([
      [
        'contracted',
        'plan 005_rename_email was being contracted by a newer release when its run was interrupted: this version can no longer run',
      ],
    ]);
    await c.query(`UPDATE pgphase.phase_log SET steps_done = '{contract:drop}' WHERE plan_id = '005_rename_email'`);
    expect(await messages()).toEqual([
      ['contracted', 'plan 005_rename_email was partly contracted by a newer release: this version can no longer run'],
    ]);
    await c.query(`UPDATE pgphase.phase_log SET status = 'failed' WHERE plan_id = '005_rename_email'`);
    expect(await messages()).toEqual([
      ['contracted', 'plan 005_rename_email was partly contracted by a newer release: this version can no longer run'],
    ]);
  });

  it('(e) is incompatible when a recorded phase was applied from a different file', async () => {
    await record('002_email', 'expand', { checksum: 'f'.repeat(64) });
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(false);
    const sha = manifests.get('002_email')!.phases[0]!.sha256;
    expect(result.problems).toEqual([
      {
        plan: '002_email',
        kind: 'checksum',
        message: `plan 002_email phase expand was applied from a different file (database: sha256 ffffffffffff…, this release's 1-expand.sql: ${sha.slice(0, 12)}…)`,
      },
    ]);
  });

  it('(e) also names a later phase from a different file, and one the release does not plan at all', async () => {
    await record('002_email', 'expand');
    await record('002_email', 'contract', { checksum: 'a'.repeat(64) });
    await record('003_rename', 'expand');
    await record('003_rename', 'backfill', { checksum: 'b'.repeat(64), status: 'failed' });
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.problems.map((p) => [p.plan, p.kind, p.message.replace(/ \((database|this release).*/, '')])).toEqual(
      [
        ['002_email', 'checksum', 'plan 002_email phase contract was applied from a different file'],
        ['003_rename', 'missing', 'migration job has not run plan 003_rename trigger yet'],
        ['003_rename', 'checksum', 'plan 003_rename phase backfill was recorded (failed) from a different file'],
      ],
    );
    expect(result.problems[0]!.message).toContain("(this release's plan has no contract phase)");
  });

  it('(f) on an empty database: incompatible when plans ship, compatible when none do; creates nothing', async () => {
    const result = await verify({ plansDir: r1, databaseUrl: db.url });
    expect(result.compatible).toBe(false);
    expect(result.problems.map((p) => p.message)).toEqual([
      'migration job has not run plan 002_email expand yet',
      'migration job has not run plan 003_rename expand and trigger yet',
    ]);
    const none = tempTree({ 'plans/README.md': 'no plans yet' });
    expect(await verify({ plansDir: join(none, 'plans'), databaseUrl: db.url })).toEqual({
      compatible: true,
      problems: [],
      plans: [],
    });
    expect(await pgphaseSchema()).toBeNull();
  });

  it('(f) an existing but empty state table is the same as none', async () => {
    await ensureState(c);
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems).toHaveLength(2);
  });

  it('(g) --wait: polls until the migration job has run the missing phases', async () => {
    await record('002_email', 'expand');
    const started = Date.now();
    // a wait far longer than the test: returning at all means it saw the phases, not that time ran out
    const pending = verify({ plansDir: r1, databaseUrl: db.url, wait: 600_000, pollMs: 100 });
    await sleep(500);
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    const result = await pending;
    const elapsed = Date.now() - started;
    expect(result.compatible).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(500);
  });

  it('(g) --wait: gives up with the reasons when nothing happens in time', async () => {
    await record('002_email', 'expand');
    const started = Date.now();
    const result = await verify({ plansDir: r1, databaseUrl: db.url, wait: 400, pollMs: 100 });
    const elapsed = Date.now() - started;
    expect(result.compatible).toBe(false);
    expect(result.problems.map((p) => p.plan)).toEqual(['003_rename']);
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it('does not require a contract-only plan before the release starts (its contract runs after the deploy)', async () => {
    const r3 = release('release-3', ['002_email', '003_rename', '004_drop_age']);
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    expect(await verify({ plansDir: r3, databaseUrl: db.url })).toMatchObject({ compatible: true, problems: [] });
    // …but once applied, it stops every release that does not know it
    await record('004_drop_age', 'contract');
    expect((await verify({ plansDir: r3, databaseUrl: db.url })).compatible).toBe(true);
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems.map((p) => [p.plan, p.kind])).toEqual([
      ['004_drop_age', 'contracted'],
    ]);
  });

  it('reads the database with a single query', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    try {
      expect((await verify({ plansDir: r1, databaseUrl: db.url })).compatible).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      await c.query('DROP SCHEMA pgphase CASCADE');
      spy.mockClear();
      // a database pgphase never ran on: the phase log's error ends the first query, the objects are read
      // again; they are all there (as another tool would leave them), so the plans count as applied outside
      expect((await verify({ plansDir: r1, databaseUrl: db.url })).plans).toEqual([
        { id: '002_email', shipped: true, applied: [], outside: true },
        { id: '003_rename', shipped: true, applied: [], outside: true },
      ]);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('accepts one plan directory as the plans directory, and skips hidden and non-plan directories', async () => {
    await record('002_email', 'expand');
    expect((await verify({ plansDir: join(r1, '002_email'), databaseUrl: db.url })).plans).toEqual([
      { id: '002_email', shipped: true, applied: ['expand'] },
    ]);
    const dir = release('release-extra', ['002_email']);
    mkdirSync(join(dir, 'docs'));
    cpSync(join(root, 'all/003_rename'), join(dir, '.003_rename-tmp'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect((await verify({ plansDir: dir, databaseUrl: db.url })).plans.map((p) => p.id)).toEqual(['002_email']);
  });

  it('refuses bad input with an input error (exit 2) before touching the database', async () => {
    await expect(verify({ plansDir: join(root, 'missing'), databaseUrl: db.url })).rejects.toMatchObject({
      code: 'input',
      exitCode: 2,
      message: expect.stringMatching(/missing: cannot read the plans directory \(ENOENT\)/),
    });
    const bad = release('release-bad', ['002_email']);
    writeFileSync(join(bad, '002_email/plan.json'), '{"version": 1}');
    await expect(verify({ plansDir: bad, databaseUrl: db.url })).rejects.toMatchObject({
      code: 'plan',
      exitCode: 2,
      message: expect.stringContaining('plan.json: id:'),
    });
    const twice = release('release-twice', ['002_email']);
    cpSync(join(root, 'all/002_email'), join(twice, '002_email_copy'), { recursive: true });
    await expect(verify({ plansDir: twice, databaseUrl: db.url })).rejects.toMatchObject({
      code: 'plan',
      message: expect.stringContaining('both hold plan 002_email'),
    });
    await expect(verify({ plansDir: r1, databaseUrl: db.url, wait: -1 })).rejects.toMatchObject({ code: 'usage' });
  });

  it('fails with a connection error (exit 2) on an unreachable database, without the password', async () => {
    const error = await verify({ plansDir: r1, databaseUrl: 'postgres://app:s3cret-pw@127.0.0.1:1/db' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect([
      (error as ConnectionError).code,
      (error as ConnectionError).exitCode,
      (error as ConnectionError).target,
    ]).toEqual(['connection', 2, 'postgres://app:***@127.0.0.1:1/db']);
    expect((error as Error).message).toContain('postgres://app:***@127.0.0.1:1/db');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('with --wait, connects again until the database can be reached, then fails with the connection error', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    // a port nothing listens on yet, then a forwarder to the test database opened on it 300 ms later
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((done) => probe.close(done));
    const target = new URL(db.url);
    const url = new URL(db.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const forwarder = createServer((socket) => {
      const upstream = connectSocket(Number(target.port || 5432), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    const opened = new Promise((r) => setTimeout(r, 300)).then(
      () => new Promise<void>((done) => forwarder.listen(port, '127.0.0.1', done)),
    );
    try {
      const started = Date.now();
      const result = await verify({ plansDir: r1, databaseUrl: url.href, wait: 10_000, pollMs: 50 });
      expect(result.compatible).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await opened;
      await new Promise((done) => forwarder.close(done));
    }
    // a string that is no connection URL: at once, however long the wait
    const asked = Date.now();
    await expect(verify({ plansDir: r1, databaseUrl: 'not a url', wait: 10_000, pollMs: 50 })).rejects.toMatchObject({
      code: 'input',
      exitCode: 2,
    });
    expect(Date.now() - asked).toBeLessThan(2_000);
    // a database that never comes: the connection error once the time is up, not at once
    const started = Date.now();
    await expect(
      verify({ plansDir: r1, databaseUrl: 'postgres://app@127.0.0.1:1/db', wait: 400, pollMs: 50 }),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('agrees with what the real runner records', async () => {
    await c.query('DROP TABLE users');
    await c.query('CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int)');
    await c.query(`INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50) g`);
    await runPhase({ planDir: join(r1, '002_email'), databaseUrl: db.url, phase: 'expand' });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems.map((p) => p.message)).toEqual([
      'migration job has not run plan 003_rename expand and trigger yet',
    ]);
    await runPhase({ planDir: join(r1, '003_rename'), databaseUrl: db.url, phase: 'expand' });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems.map((p) => p.message)).toEqual([
      'migration job has not run plan 003_rename trigger yet',
    ]);
    await runPhase({ planDir: join(r1, '003_rename'), databaseUrl: db.url, phase: 'trigger' });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).compatible).toBe(true);
    // release 2's migration job runs its new plan to the end: release 1 can no longer start, release 2 can
    await runAll({ planDir: join(r2, '005_rename_email'), databaseUrl: db.url });
    expect((await verify({ plansDir: r1, databaseUrl: db.url })).problems.map((p) => [p.plan, p.kind])).toEqual([
      ['005_rename_email', 'contracted'],
    ]);
    expect((await verify({ plansDir: r2, databaseUrl: db.url })).compatible).toBe(true);
    await c.query('DROP TABLE users CASCADE');
  });

  describe('an application role', () => {
    const role = `pgphase_app_${Math.random().toString(36).slice(2, 10)}`;
    const url = new URL(db.url);
    url.username = role;
    url.password = 'app-pw';
    beforeAll(async () => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'app-pw'`);
    });
    afterAll(async () => {
      await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    });

    it('is told which grant it lacks (exit 2)', async () => {
      await ensureState(c);
      const error = await verify({ plansDir: r1, databaseUrl: url.toString() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as Error).message).toMatch(
        /^cannot read pgphase.phase_log: permission denied for schema pgphase; grant this role USAGE ON SCHEMA pgphase and SELECT ON pgphase.phase_log$/,
      );
    });

    it('with those grants, tells a running phase from an interrupted one (the runner lock is held by another role)', async () => {
      await record('002_email', 'expand', { status: 'running' });
      await record('003_rename', 'expand');
      await record('003_rename', 'trigger');
      await c.query(`GRANT USAGE ON SCHEMA pgphase TO ${role}; GRANT SELECT ON pgphase.phase_log TO ${role}`);
      const messages = async () =>
        (await verify({ plansDir: r1, databaseUrl: url.toString() })).problems.map((p) => p.message);
      const runner = await runnerAtWork();
      expect(await messages()).toEqual(['migration job has not run plan 002_email expand yet (it is running)']);
      await runner.release();
      expect(await messages()).toEqual([
        'migration job has not run plan 002_email expand yet (it was interrupted; re-run `pgphase run <plan-dir> expand` to resume)',
      ]);
    });
  });
});

describe('pgphase verify (CLI)', () => {
  it('prints one "compatible" line and exits 0', async () => {
    await record('002_email', 'expand');
    await record('003_rename', 'expand');
    await record('003_rename', 'trigger');
    await record('005_rename_email', 'expand');
    const r = runCli(['verify', 'release-1', '--database-url', db.url], { cwd: root });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      'compatible: the database has what the 2 plans of this release need; 1 newer plan not contracted\n',
    );
  });

  it('prints one line per problem and exits 1', async () => {
    await record('002_email', 'expand', { checksum: '0'.repeat(64) });
    await record('005_rename_email', 'contract');
    const r = runCli(['verify', 'release-1', '--database-url', db.url], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^incompatible: plan 002_email phase expand was applied from a different file \(/),
      'incompatible: migration job has not run plan 003_rename expand and trigger yet',
      'incompatible: plan 005_rename_email was contracted by a newer release: this version can no longer run',
      '',
    ]);
  });

  it('--json prints the result; the database may come from DATABASE_URL', async () => {
    await record('002_email', 'expand');
    const r = runCli(['verify', 'release-1', '--json'], { cwd: root, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      compatible: false,
      problems: [
        {
          plan: '003_rename',
          kind: 'missing',
          message: 'migration job has not run plan 003_rename expand and trigger yet',
        },
      ],
      plans: [
        { id: '002_email', shipped: true, applied: ['expand'] },
        { id: '003_rename', shipped: true, applied: [] },
      ],
    });
  });

  it('--wait polls, then exits 1 with the reasons when time is up', async () => {
    const started = Date.now();
    const r = runCli(['verify', 'release-1', '--wait', '1s', '--database-url', db.url], { cwd: root });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('incompatible: migration job has not run plan 002_email expand yet');
  });

  it('an empty plans directory is compatible on an empty database', () => {
    const dir = tempTree({ 'plans/.keep': '' });
    const r = runCli(['verify', 'plans', '--wait', '500ms', '--database-url', db.url], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([0, 'compatible: this release ships no plans\n']);
  });

  it('exits 2 with one line on bad input or an unreachable database, never printing the password', () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['verify', 'release-1', '--wait', 'soon', '--database-url', db.url],
        /--wait soon: expected a duration like 60s, 500ms or 2min/,
      ],
      [['verify', 'nowhere', '--database-url', db.url], /nowhere: cannot read the plans directory \(ENOENT\)/],
      [
        ['verify', 'release-1', '--database-url', 'postgres://app:s3cret-pw@127.0.0.1:1/db'],
        /cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/db/,
      ],
      [['verify'], /missing required argument 'plans-dir'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, { cwd: root });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr + r.stdout).not.toContain('s3cret');
    }
  });
});
