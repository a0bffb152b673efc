// The runner against real PostgreSQL: order, checksums, checks, lock timeouts with retries,
// a second runner, invalid concurrent indexes, and a crash in the middle of a backfill.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckFailed, LockTimeoutExhausted, PhaseOrderError, RunnerBusy } from '../../src/errors.js';
import { plan } from '../../src/plan/index.js';
import { rollbackPhase, runAll, runPhase, type RunEvent } from '../../src/runner/run.js';
import { readState } from '../../src/runner/state.js';
import { BIN, runCli, tempTree } from '../helpers/cli.js';
import { resetSchema, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

/** A plan of `migration` over `setup`, with the setup applied to a fresh schema `public`. */
async function planned(setup: string, migration: string, name: string) {
  await resetSchema(c);
  await c.query(setup);
  const dir = tempTree({ 'm/001_setup.sql': setup, 'm/002.sql': migration });
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, name), batchSize: 500 });
}

const USERS = `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, n int NOT NULL DEFAULT 0);
  INSERT INTO users (id, name) SELECT g, 'user ' || g FROM generate_series(1, 3000) g;`;

describe('pgphase run', () => {
  it('applies the phases in order, records them, and makes a re-run a no-op', async () => {
    const p = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'rename');
    const events: RunEvent[] = [];
    const base = { planDir: p.dir, databaseUrl: db.url, onEvent: (e: RunEvent) => events.push(e) };
    const early = await runPhase({ ...base, phase: 'trigger' }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(PhaseOrderError);
    expect(early).toMatchObject({
      code: 'phase-order',
      exitCode: 1,
      planId: p.manifest.id,
      phase: 'trigger',
      missing: 'expand',
      message: expect.stringMatching(/expand is not applied yet; run it before trigger/),
    });
    expect(await runPhase({ ...base, phase: 'expand' })).toBe('applied');
    expect(await runPhase({ ...base, phase: 'expand' })).toBe('already-applied');
    await runPhase({ ...base, phase: 'trigger' });
    // the old version keeps writing "name" while the backfill runs; the trigger copies it
    await c.query(`INSERT INTO users (id, name) VALUES (5000, 'written by V')`);
    await runPhase({ ...base, phase: 'backfill' });
    await runPhase({ ...base, phase: 'contract' });
    const { rows } = await c.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE full_name = 'user ' || id OR id = 5000)::int AS ok FROM users`,
    );
    expect(rows[0]).toEqual({ n: 3001, ok: 3001 });
    const state = await readState(c, p.manifest.id);
    expect(state.map((r) => [r.phase, r.status])).toEqual([
      ['expand', 'applied'],
      ['trigger', 'applied'],
      ['backfill', 'applied'],
      ['contract', 'applied'],
    ]);
    // the row V wrote after the trigger was already copied: the backfill changed the 3000 older ones
    expect(state[2]!.backfill[0]).toMatchObject({ rows: 3000, done: true, cursor: null });
    expect(events.filter((e) => e.type === 'batch').length).toBeGreaterThan(1);
  });

  it('refuses a tampered phase file and a contract whose checks return rows', async () => {
    const p = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'checks');
    const base = { planDir: p.dir, databaseUrl: db.url };
    appendFileSync(join(p.dir, '1-expand.sql'), '\nDROP TABLE users;\n');
    await expect(runPhase({ ...base, phase: 'expand' })).rejects.toThrow(/1-expand\.sql differs from the one planned/);
    // a step edited in plan.json no longer renders to the reviewed file
    const edited = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'edited');
    const manifestPath = join(edited.dir, 'plan.json');
    const json = JSON.parse(readFileSync(manifestPath, 'utf8'));
    json.phases[0].steps[0].sql = 'DROP TABLE users';
    writeFileSync(manifestPath, JSON.stringify(json));
    await expect(runPhase({ planDir: edited.dir, databaseUrl: db.url, phase: 'expand' })).rejects.toThrow(
      /1-expand\.sql differs from the one planned \(plan\.json\)/,
    );
    expect((await c.query(`SELECT to_regclass('users') IS NOT NULL AS present`)).rows[0]).toEqual({ present: true });
    const fresh = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'checks2');
    const ok = { planDir: fresh.dir, databaseUrl: db.url };
    for (const phase of ['expand', 'trigger', 'backfill'] as const) await runPhase({ ...ok, phase });
    await c.query(
      `ALTER TABLE users DISABLE TRIGGER USER; UPDATE users SET name = 'drifted' WHERE id = 7; ALTER TABLE users ENABLE TRIGGER USER;`,
    );
    const refused = await runPhase({ ...ok, phase: 'contract' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckFailed);
    expect(refused).toMatchObject({
      code: 'check-failed',
      exitCode: 1,
      phase: 'contract',
      reason: 'rows',
      sql: fresh.manifest.checks.find((ch) => ch.before === 'contract')!.sql,
    });
    expect((refused as Error).message).toMatch(/contract refused, a check still returns rows/);
  });

  it('refuses a search_path that resolves unqualified names outside schema public', async () => {
    const p = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'search-path');
    await c.query('CREATE SCHEMA "Tenant1"; CREATE TABLE "Tenant1".users (id bigint PRIMARY KEY, name text NOT NULL)');
    try {
      const url = new URL(db.url);
      url.searchParams.set('options', '-csearch_path="Tenant1",public');
      await expect(runPhase({ planDir: p.dir, databaseUrl: url.toString(), phase: 'expand' })).rejects.toThrow(
        'takes unqualified names to be in schema public, but search_path puts them in "Tenant1": connect with search_path=public',
      );
      expect(await readState(c, p.manifest.id)).toEqual([]);
    } finally {
      await c.query('DROP SCHEMA "Tenant1" CASCADE');
    }
  });

  it('times out on a lock and retries instead of queueing; reads on the table never wait long', async () => {
    const p = await planned(USERS, 'ALTER TABLE users ADD COLUMN nickname text;', 'queue');
    const blocker = await db.client();
    const reader = await db.client();
    await blocker.query('BEGIN; SELECT count(*) FROM users;');
    const events: RunEvent[] = [];
    const run = runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'expand',
      lockTimeout: '200ms',
      onEvent: (e) => events.push(e),
    });
    // while the runner retries, the application's reads get through between attempts: all of
    // them end before the blocker does. Queued behind a waiting ALTER they would wait for the
    // blocker, which commits only after them: their lock_timeout turns that wait into an error.
    await reader.query(`SET lock_timeout = '20s'`);
    for (let i = 0; i < 10; i++) {
      await reader.query('SELECT count(*) FROM users WHERE id < 10');
      await new Promise((r) => setTimeout(r, 50));
    }
    await blocker.query('COMMIT');
    expect(await run).toBe('applied');
    const retries = events.filter((e): e is Extract<RunEvent, { type: 'retry' }> => e.type === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.some((r) => r.blockers.some((b) => b.includes('SELECT count(*) FROM users')))).toBe(true);
    // the queries an attempt held up get at least one lock_timeout to drain before the next
    expect(Math.min(...retries.map((r) => r.delayMs))).toBeGreaterThanOrEqual(200);
  });

  it('gives up after its retries with a lock-timeout error naming the step, its attempts and the blocker', async () => {
    const p = await planned(USERS, 'ALTER TABLE users ADD COLUMN nickname text;', 'exhausted');
    const blocker = await db.client();
    await blocker.query('BEGIN; SELECT count(*) FROM users;');
    try {
      const error = await runPhase({
        planDir: p.dir,
        databaseUrl: db.url,
        phase: 'expand',
        lockTimeout: '200ms',
        retries: 1,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockTimeoutExhausted);
      const step = p.manifest.phases[0]!.steps[0]!.id;
      expect(error).toMatchObject({ code: 'lock-timeout', exitCode: 1, step, attempts: 2 });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^plan ${p.manifest.id} expand: step ${step} could not take its lock within the lock timeout \\(200 ms\\) in 2 attempts, blocked by pid \\d+ .*SELECT count\\(\\*\\) FROM users`,
        ),
      );
      expect((await readState(c, p.manifest.id))[0]).toMatchObject({
        status: 'failed',
        lastError: (error as Error).message,
      });
    } finally {
      await blocker.query('ROLLBACK');
    }
  });

  it('lets one runner in at a time and names the one holding the lock', async () => {
    const p = await planned(USERS, 'ALTER TABLE users ADD COLUMN x int;', 'busy');
    const other = await db.client();
    await other.query(`SET application_name = 'deploy job 42'; SELECT pg_advisory_lock(${0x70677068}, 1)`);
    const busy = await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'expand', waitMs: 600 }).catch(
      (e: unknown) => e,
    );
    expect(busy).toBeInstanceOf(RunnerBusy);
    expect(busy).toMatchObject({
      code: 'runner-busy',
      exitCode: 1,
      holder: expect.stringMatching(/^pid \d+ \(.*deploy job 42/),
    });
    expect((busy as Error).message).toMatch(
      /another pgphase runner holds the lock on this database: pid \d+ \(.*deploy job 42/,
    );
    await other.query(`SELECT pg_advisory_unlock(${0x70677068}, 1)`);
    expect(await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'expand', waitMs: 600 })).toBe('applied');
  });

  it('drops an invalid index left by a failed concurrent build and builds it again', async () => {
    const p = await planned(USERS, 'CREATE UNIQUE INDEX users_n ON users (id, n);', 'invalid');
    // a failed concurrent build of the same index leaves it behind, invalid
    await c.query(`INSERT INTO users VALUES (9001, 'dup', 5), (9002, 'dup', 5)`);
    await c.query('CREATE UNIQUE INDEX CONCURRENTLY users_n ON users (name, n)').catch(() => undefined);
    expect((await c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_n'::regclass`)).rows[0]).toEqual({
      indisvalid: false,
    });
    const events: RunEvent[] = [];
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'expand', onEvent: (e) => events.push(e) });
    expect(events).toContainEqual({ type: 'invalid-index', index: '"public"."users_n"' });
    expect(
      (
        await c.query(
          `SELECT indisvalid, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indexrelid = 'users_n'::regclass`,
        )
      ).rows[0],
    ).toEqual({
      indisvalid: true,
      def: 'CREATE UNIQUE INDEX users_n ON public.users USING btree (id, n)',
    });
  });

  it('rolls back a phase with its down steps, and refuses contract and phases with applied successors', async () => {
    const p = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'rollback');
    const base = { planDir: p.dir, databaseUrl: db.url };
    await runAll(base);
    await expect(rollbackPhase({ ...base, phase: 'contract' })).rejects.toThrow(/contract cannot be undone/);
    const again = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'rollback2');
    const b2 = { planDir: again.dir, databaseUrl: db.url };
    await runPhase({ ...b2, phase: 'expand' });
    await runPhase({ ...b2, phase: 'trigger' });
    await expect(rollbackPhase({ ...b2, phase: 'expand' })).rejects.toThrow(
      /trigger is applied; roll it back before expand/,
    );
    // a trigger whose runner died: the runner, which holds the lock itself, tells it from a running one
    await c.query(`UPDATE pgphase.phase_log SET status = 'running' WHERE plan_id = $1 AND phase = 'trigger'`, [
      again.manifest.id,
    ]);
    await expect(rollbackPhase({ ...b2, phase: 'expand' })).rejects.toThrow(
      /trigger is interrupted; roll it back before expand/,
    );
    await c.query(`UPDATE pgphase.phase_log SET status = 'applied' WHERE plan_id = $1 AND phase = 'trigger'`, [
      again.manifest.id,
    ]);
    await rollbackPhase({ ...b2, phase: 'trigger' });
    await rollbackPhase({ ...b2, phase: 'expand' });
    const cols = await c.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`,
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'name', 'n']);
    expect((await readState(c, again.manifest.id)).map((r) => [r.phase, r.status])).toEqual([
      ['expand', 'rolled_back'],
      ['trigger', 'rolled_back'],
    ]);
    expect(await runPhase({ ...b2, phase: 'expand' })).toBe('applied');
  });

  it('runs a corrected plan of the same id over a rolled-back phase, and refuses a changed file over an applied one', async () => {
    const first = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO fullname;', 'pl');
    const base = { planDir: first.dir, databaseUrl: db.url };
    await runPhase({ ...base, phase: 'expand' });
    await rollbackPhase({ ...base, phase: 'expand' });
    // the migration corrected and planned again into the same directory, under the same id
    const m = join(first.dir, '..', 'm', '002.sql');
    writeFileSync(m, 'ALTER TABLE users RENAME COLUMN name TO full_name;');
    const second = await plan({
      file: m,
      history: join(first.dir, '..', 'm'),
      out: first.dir,
      name: first.manifest.id,
      force: true,
      batchSize: 500,
    });
    expect(second.manifest.phases[0]!.sha256).not.toBe(first.manifest.phases[0]!.sha256);
    expect(await runPhase({ ...base, phase: 'expand' })).toBe('applied');
    const [expand] = await readState(c, first.manifest.id);
    expect(expand).toMatchObject({ phase: 'expand', status: 'applied', checksum: second.manifest.phases[0]!.sha256 });
    expect(
      (
        await c.query(
          `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'full_name'`,
        )
      ).rows[0],
    ).toEqual({ n: 1 });
    // applied from this file: a plan changed again is refused until the phase is rolled back
    writeFileSync(m, 'ALTER TABLE users RENAME COLUMN name TO the_name;');
    await plan({
      file: m,
      history: join(first.dir, '..', 'm'),
      out: first.dir,
      name: first.manifest.id,
      force: true,
      batchSize: 500,
    });
    await expect(runPhase({ ...base, phase: 'expand' })).rejects.toThrow(/expand was recorded from a different file/);
  });

  it('re-runs a rolled-back backfill from the start', async () => {
    const p = await planned(USERS, 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'again');
    const base = { planDir: p.dir, databaseUrl: db.url };
    for (const phase of ['expand', 'trigger', 'backfill'] as const) await runPhase({ ...base, phase });
    for (const phase of ['backfill', 'trigger', 'expand'] as const) await rollbackPhase({ ...base, phase });
    await expect(rollbackPhase({ ...base, phase: 'expand' })).rejects.toThrow(/nothing to roll back/);
    for (const phase of ['expand', 'trigger', 'backfill', 'contract'] as const) await runPhase({ ...base, phase });
    const { rows } = await c.query(`SELECT count(*) FILTER (WHERE full_name = 'user ' || id)::int AS ok FROM users`);
    expect(rows[0]).toEqual({ ok: 3000 });
  });

  it('backfills over a composite key, and --dry-run only says what would run', async () => {
    const setup =
      "CREATE TABLE memberships (org_id int, user_id int, role text NOT NULL, PRIMARY KEY (org_id, user_id));\nINSERT INTO memberships SELECT o, u, 'member' FROM generate_series(1, 40) o, generate_series(1, 90) u;";
    const p = await planned(setup, "UPDATE memberships SET role = 'owner' WHERE user_id <= 2;", 'composite');
    const events: RunEvent[] = [];
    expect(
      await runPhase({
        planDir: p.dir,
        databaseUrl: db.url,
        phase: 'backfill',
        dryRun: true,
        onEvent: (e) => events.push(e),
      }),
    ).toBe('dry-run');
    expect(events[0]).toMatchObject({
      type: 'would-run',
      sql: expect.stringContaining(`SET "role" = 'owner' WHERE user_id <= 2, in batches of 500 by org_id, user_id`),
    });
    expect((await c.query(`SELECT count(*)::int AS n FROM memberships WHERE role = 'owner'`)).rows[0]).toEqual({
      n: 0,
    });
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 170 });
    expect((await c.query(`SELECT count(*)::int AS n FROM memberships WHERE role = 'owner'`)).rows[0]).toEqual({
      n: 80,
    });
    expect((await readState(c, p.manifest.id))[0]!.backfill[0]).toMatchObject({ rows: 80, done: true });
  });

  it('writes nothing to the database in a dry run, not even the state table', async () => {
    const p = await planned(USERS, 'ALTER TABLE users ADD COLUMN nickname text;', 'dry-empty');
    const events: RunEvent[] = [];
    expect(
      await runPhase({
        planDir: p.dir,
        databaseUrl: db.url,
        phase: 'expand',
        dryRun: true,
        onEvent: (e) => events.push(e),
      }),
    ).toBe('dry-run');
    expect(events[0]).toMatchObject({ type: 'would-run', step: 'expand:as-written-1' });
    expect((await c.query(`SELECT to_regnamespace('pgphase') AS schema`)).rows[0]).toEqual({ schema: null });
  });

  it('exits 2 naming a phase file that is missing from the plan directory', async () => {
    const p = await planned(USERS, 'ALTER TABLE users ADD COLUMN nickname text;', 'no-file');
    unlinkSync(join(p.dir, '1-expand.sql'));
    const r = runCli(['run', p.dir, 'expand', '--database-url', db.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pgphase: ${join(p.dir, '1-expand.sql')}: cannot read (ENOENT); the plan directory is incomplete\n`,
    );
  });

  it('batches by the order of the key, not of its text: each batch changes batch-size rows', async () => {
    const setup = `CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO counters (id) SELECT g FROM generate_series(1, 2000) g;`;
    const p = await planned(setup, 'UPDATE counters SET n = n + 1;', 'order');
    const events: RunEvent[] = [];
    await runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'backfill',
      batchSize: 100,
      onEvent: (e) => events.push(e),
    });
    // in text order the 100th key is '1088': a first batch of 1088 rows
    expect(events.flatMap((e) => (e.type === 'batch' ? [e.rows] : []))).toEqual([...Array<number>(20).fill(100), 0]);
    expect((await c.query(`SELECT count(*) FILTER (WHERE n = 1)::int AS ok FROM counters`)).rows[0]).toEqual({
      ok: 2000,
    });
  });

  it('resumes a backfill killed with SIGKILL from its cursor, applying no batch twice', async () => {
    const setup = `CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
      INSERT INTO counters (id) SELECT g FROM generate_series(1, 20000) g;`;
    const p = await planned(setup, 'UPDATE counters SET n = n + 1;', 'crash');
    const child = spawn(
      process.execPath,
      [BIN, 'run', p.dir, 'backfill', '--database-url', db.url, '--batch-size', '200', '--pause-ms', '20'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let batches = 0;
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        batches += chunk
          .toString()
          .split('\n')
          .filter((l) => l.includes('"type":"batch"')).length;
        if (batches >= 5 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    const mid = (await readState(c, p.manifest.id))[0]!;
    // the killed runner could not record a failure (status reads `interrupted` once the server has ended its session)
    expect((await c.query(`SELECT status FROM pgphase.phase_log`)).rows).toEqual([{ status: 'running' }]);
    expect(mid.backfill[0]!.rows).toBeGreaterThan(0);
    expect(mid.backfill[0]!.rows).toBeLessThan(20000);
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', waitMs: 5000 });
    const { rows } = await c.query(`SELECT min(n) AS lo, max(n) AS hi, count(*)::int AS rows FROM counters`);
    expect(rows[0]).toEqual({ lo: 1, hi: 1, rows: 20000 });
    expect((await readState(c, p.manifest.id))[0]).toMatchObject({
      status: 'applied',
      backfill: [{ rows: 20000, done: true }],
    });
  });
});
