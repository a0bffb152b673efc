import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/status.js';
import { ensureState } from '../../src/runner/state.js';
import { status } from '../../src/runner/status.js';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

// what a runner holds while it works: the session-level advisory lock of src/runner/lock.ts
const RUNNER_LOCK = `SELECT pg_try_advisory_lock(${0x70677068}, 1) AS ok`;

const schemaExists = async () =>
  (await c.query<{ s: string | null }>(`SELECT to_regnamespace('pgphase')::text AS s`)).rows[0]!.s !== null;

async function record(
  planId: string,
  phase: string,
  status: string,
  started: string,
  extra: { steps?: string[]; backfill?: unknown[]; error?: string; backendPid?: number } = {},
): Promise<void> {
  const by = {
    user: 'deployer',
    host: 'ci-1',
    pid: 7,
    version: '0.1.0',
    ...(extra.backendPid !== undefined && { backendPid: extra.backendPid }),
  };
  await c.query(
    `INSERT INTO pgphase.phase_log (plan_id, phase, checksum, status, steps_done, backfill, started_at, run_by, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      planId,
      phase,
      'c'.repeat(64),
      status,
      extra.steps ?? [],
      JSON.stringify(extra.backfill ?? []),
      started,
      JSON.stringify(by),
      extra.error ?? null,
    ],
  );
}

// Sequential: the first tests need the database without any pgphase state.
describe('status', () => {
  it('is empty on a database where no plan has run, and creates nothing', async () => {
    expect(await status({ databaseUrl: db.url })).toEqual([]);
    expect(await schemaExists()).toBe(false);
  });

  it('the CLI says so, as text and as JSON', () => {
    const text = runCli(['status', '--database-url', db.url]);
    expect([text.code, text.stdout, text.stderr]).toEqual([0, 'no plan has run on this database\n', '']);
    const json = runCli(['status', '--json'], { env: { DATABASE_URL: db.url } });
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, []]);
  });

  it('returns every recorded phase, oldest first, or one plan’s; a running phase that no runner holds the lock for is interrupted', async () => {
    await ensureState(c);
    await record('002_email', 'expand', 'applied', '2026-05-01T10:00:00Z', { steps: ['expand:add-email'] });
    await record('003_rename', 'expand', 'applied', '2026-05-01T11:00:00Z', {
      steps: ['expand:add-full_name', 'expand:index'],
    });
    await record('003_rename', 'backfill', 'running', '2026-05-01T12:00:00Z', {
      backfill: [{ cursor: [1200], rows: 1200, total: 5000, done: false }],
    });
    await record('003_rename', 'trigger', 'failed', '2026-05-01T11:30:00Z', { error: 'lock timeout\nmore detail' });
    const all = await status({ databaseUrl: db.url });
    expect(all.map((r) => [r.planId, r.phase, r.status])).toEqual([
      ['002_email', 'expand', 'applied'],
      ['003_rename', 'expand', 'applied'],
      ['003_rename', 'trigger', 'failed'],
      ['003_rename', 'backfill', 'interrupted'],
    ]);
    expect(all[3]).toMatchObject({
      checksum: 'c'.repeat(64),
      stepsDone: [],
      backfill: [{ rows: 1200, total: 5000, done: false }],
      runBy: { user: 'deployer', host: 'ci-1' },
    });
    expect(all[0]!.startedAt).toEqual(new Date('2026-05-01T10:00:00Z'));
    expect((await status({ databaseUrl: db.url, planId: '002_email' })).map((r) => r.phase)).toEqual(['expand']);
  });

  it('the CLI prints a table: plan, phase, status, steps done, backfill rows, started, by user@host; how to resume an interrupted phase', () => {
    const r = runCli(['status', '--database-url', db.url]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'plan        phase     status       steps done  backfill rows  started               by',
        '002_email   expand    applied      1           -              2026-05-01 10:00:00Z  deployer@ci-1',
        '003_rename  expand    applied      2           -              2026-05-01 11:00:00Z  deployer@ci-1',
        '003_rename  trigger   failed       0           -              2026-05-01 11:30:00Z  deployer@ci-1',
        '003_rename  backfill  interrupted  0           1200/~5000     2026-05-01 12:00:00Z  deployer@ci-1',
        '',
        '003_rename trigger failed: lock timeout',
        '003_rename backfill was interrupted (no runner is working on it): re-run `pgphase run <plan-dir> backfill` to resume',
        '',
      ].join('\n'),
    );
  });

  it('the CLI prints the records as JSON', () => {
    const r = runCli(['status', '--json', '--database-url', db.url]);
    expect(r.code).toBe(0);
    const records = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(4);
    expect(records[3]).toMatchObject({
      planId: '003_rename',
      phase: 'backfill',
      status: 'interrupted',
      startedAt: '2026-05-01T12:00:00.000Z',
      runBy: { user: 'deployer', host: 'ci-1' },
    });
  });

  it('shows a phase recorded as running as running while a session of this database holds the runner lock', async () => {
    // a runner of another database on the same server does not count: advisory locks belong to one database
    await c.query(`CREATE DATABASE ${db.name}_other`);
    const url = new URL(db.url);
    url.pathname = `/${db.name}_other`;
    const elsewhere = new pg.Client({ connectionString: url.toString() });
    await elsewhere.connect();
    try {
      expect((await elsewhere.query(RUNNER_LOCK)).rows[0]).toEqual({ ok: true });
      expect((await status({ databaseUrl: db.url, planId: '003_rename' })).map((r) => r.status)).toEqual([
        'applied',
        'failed',
        'interrupted',
      ]);
    } finally {
      await elsewhere.end();
      await c.query(`DROP DATABASE ${db.name}_other`);
    }
    const runner = await db.client();
    expect((await runner.query(RUNNER_LOCK)).rows[0]).toEqual({ ok: true });
    expect((await status({ databaseUrl: db.url, planId: '003_rename' })).map((r) => r.status)).toEqual([
      'applied',
      'failed',
      'running',
    ]);
    const text = runCli(['status', '--database-url', db.url]);
    expect(text.stdout.split('\n').slice(4)).toEqual([
      '003_rename  backfill  running  0           1200/~5000     2026-05-01 12:00:00Z  deployer@ci-1',
      '',
      '003_rename trigger failed: lock timeout',
      '',
    ]);
    const json = runCli(['status', '--json', '--database-url', db.url]);
    expect((JSON.parse(json.stdout) as Array<{ status: string }>).map((r) => r.status)).toEqual([
      'applied',
      'applied',
      'failed',
      'running',
    ]);
    await runner.query(`SELECT pg_advisory_unlock(${0x70677068}, 1)`);
    expect((await status({ databaseUrl: db.url, planId: '003_rename' })).map((r) => r.status)).toEqual([
      'applied',
      'failed',
      'interrupted',
    ]);
  });

  it("judges a running phase by its own runner's session, not by whoever holds the lock now", async () => {
    const runner = await db.client();
    const backend = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await record('004_mine', 'expand', 'running', '2026-05-02T10:00:00Z', { backendPid: backend });
    // a runner killed earlier, whose session (some other server process) is gone
    await record('005_stale', 'expand', 'running', '2026-05-02T11:00:00Z', { backendPid: backend + 100_000 });
    const statuses = async () =>
      (await status({ databaseUrl: db.url })).filter((r) => r.planId >= '004').map((r) => [r.planId, r.status]);
    expect((await runner.query(RUNNER_LOCK)).rows[0]).toEqual({ ok: true });
    expect(await statuses()).toEqual([
      ['004_mine', 'running'],
      ['005_stale', 'interrupted'],
    ]);
    await runner.query(`SELECT pg_advisory_unlock(${0x70677068}, 1)`);
    expect(await statuses()).toEqual([
      ['004_mine', 'interrupted'],
      ['005_stale', 'interrupted'],
    ]);
  });

  it('shows a finished backfill by its rows alone', () => {
    const text = formatStatus([
      {
        planId: 'p',
        phase: 'backfill',
        checksum: 'x',
        checksumAlgorithm: 'sha256',
        status: 'applied',
        stepsDone: [],
        backfill: [
          { cursor: null, rows: 10, total: 8, done: true },
          { cursor: null, rows: 5, total: null, done: true },
        ],
        startedAt: new Date('2026-01-02T03:04:05Z'),
        finishedAt: null,
        runBy: { user: 'u', host: 'h', pid: 1, version: '0' },
        lastError: null,
      },
    ]);
    expect(text.split('\n')[1]).toBe('p     backfill  applied  0           15             2026-01-02 03:04:05Z  u@h');
  });

  it('exits 2 with one line on an unreachable database, never printing the password', () => {
    const r = runCli(['status', '--database-url', 'postgres://app:s3cret-pw@127.0.0.1:1/db']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot connect to postgres://app:***@127.0.0.1:1/db');
    expect(r.stderr + r.stdout).not.toContain('s3cret');
  });
});
