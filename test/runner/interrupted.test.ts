// A runner stopped at a chosen point, against real PostgreSQL: a contract killed after it
// dropped the old column, a runner killed while its session was still committing a batch or
// waiting in a concurrent index build, an invalid leftover index whose drop has to wait
// for a long transaction, and what status says of a phase whose runner was killed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { runPhase, type RunEvent } from '../../src/runner/run.js';
import { readState } from '../../src/runner/state.js';
import { status } from '../../src/runner/status.js';
import { catalog } from '../helpers/catalog.js';
import { BIN, runCli, tempTree } from '../helpers/cli.js';
import { resetSchema, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, n int NOT NULL DEFAULT 0);
CREATE INDEX users_name ON users (name);`;
const FILL = `INSERT INTO users (id, name, n) SELECT g, 'user ' || g, g % 7 FROM generate_series(1, 5000) g`;

/** The schema `migration` gives when applied directly, then a plan of it over a fresh, filled `users`. */
async function planned(migration: string, name: string) {
  await resetSchema(c);
  await c.query(SETUP);
  await c.query(migration);
  const expected = await catalog(c);
  await resetSchema(c);
  await c.query(`${SETUP}\n${FILL}`);
  const dir = tempTree({ 'm/001_users.sql': SETUP, 'm/002.sql': migration });
  const p = await plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, name), batchSize: 500 });
  return { ...p, expected };
}

interface Exit {
  code: number | null;
  stderr: string;
}

/** The CLI in a child process; `line` resolves once stderr contains the text. */
function cli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args, '--database-url', db.url], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiting.filter((x) => stderr.includes(x.text))) w.resolve();
  });
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return {
    done,
    kill: () => void child.kill('SIGKILL'),
    line: (text: string) =>
      new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : waiting.push({ text, resolve }))),
  };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const column = async (name: string) =>
  (
    await c.query(
      `SELECT 1 FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = $1 AND NOT attisdropped`,
      [name],
    )
  ).rowCount === 1;
const index = async (name: string) =>
  (
    await c.query<{ valid: boolean; def: string }>(
      `SELECT indisvalid AS valid, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indexrelid = to_regclass($1)`,
      [name],
    )
  ).rows[0];

describe('an interrupted runner', () => {
  it('resumes a contract killed after it dropped the old column (its checks compare that column)', async () => {
    const p = await planned('ALTER TABLE users RENAME COLUMN name TO full_name;', 'contract');
    for (const phase of ['expand', 'trigger', 'backfill'] as const)
      await runPhase({ planDir: p.dir, databaseUrl: db.url, phase });
    const contract = p.manifest.phases.find((x) => x.name === 'contract')!.steps;
    const steps = contract.map((s) => s.id);
    expect(steps.indexOf('contract:drop-sync-function')).toBeGreaterThan(steps.indexOf('contract:swap-name'));
    // an open transaction holding a lock on the sync function stops the contract at the step
    // that drops it, after the step that dropped "name"
    const syncFunction = /^DROP FUNCTION IF EXISTS (.+)$/.exec(
      contract.find((s) => s.id === 'contract:drop-sync-function')!.sql,
    )![1];
    const blocker = await db.client();
    await blocker.query(`BEGIN; COMMENT ON FUNCTION ${syncFunction} IS 'busy'`);
    const run = cli(['run', p.dir, 'contract', '--lock-timeout', '200ms']);
    await run.line('"type":"retry"');
    run.kill();
    await run.done;
    // the server ends the killed runner's session (its lock wait times out), and with it the runner lock
    const mid = await until(async () =>
      (await readState(c, p.manifest.id)).find((r) => r.phase === 'contract' && r.status === 'interrupted'),
    );
    await blocker.query('ROLLBACK');
    expect(mid.stepsDone).toEqual(steps.slice(0, steps.indexOf('contract:drop-sync-function')));
    expect(await column('name')).toBe(false);
    const rerun = await cli(['run', p.dir, 'contract', '--wait', '10s']).done;
    expect([rerun.code, rerun.stderr]).toEqual([0, expect.stringContaining('"outcome":"applied"')]);
    expect(await catalog(c)).toEqual(p.expected);
    expect(
      (await c.query(`SELECT count(*) FILTER (WHERE full_name = 'user ' || id)::int AS ok FROM users`)).rows[0],
    ).toEqual({ ok: 5000 });
    expect((await readState(c, p.manifest.id)).find((r) => r.phase === 'contract')).toMatchObject({
      status: 'applied',
      stepsDone: steps,
    });
  });

  it('waits for the session of a killed runner whose last batch is still committing, and applies no batch twice', async () => {
    await resetSchema(c);
    const setup = 'CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);';
    await c.query(`${setup} INSERT INTO counters (id) SELECT g FROM generate_series(1, 2000) g;`);
    // a COMMIT that takes its time, as one waiting for a synchronous standby does: a deferred
    // trigger that sleeps when the batch holding row 1000 commits
    await c.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 1000 THEN PERFORM pg_sleep(1.5); END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON counters DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();`);
    const dir = tempTree({ 'm/001.sql': setup, 'm/002.sql': 'UPDATE counters SET n = n + 1;' });
    const p = await plan({
      file: join(dir, 'm/002.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'slow'),
      batchSize: 100,
    });
    // the sleeping trigger is the application's: it fires only when told to
    const run = cli(['run', p.dir, 'backfill', '--batch-size', '100', '--backfill-triggers', 'fire']);
    await until(
      async () =>
        (
          await c.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query = 'COMMIT' AND wait_event = 'PgSleep'`,
            [`pgphase ${p.manifest.id}`],
          )
        ).rowCount || undefined,
    );
    run.kill();
    await run.done;
    // the killed runner's session commits that batch after the runner is gone
    await runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'backfill',
      batchSize: 100,
      waitMs: 10_000,
      backfillTriggers: 'fire',
    });
    expect((await c.query(`SELECT n, count(*)::int AS rows FROM counters GROUP BY n ORDER BY n`)).rows).toEqual([
      { n: 1, rows: 2000 },
    ]);
    expect((await readState(c, p.manifest.id))[0]).toMatchObject({
      status: 'applied',
      backfill: [{ rows: 2000, done: true }],
    });
  });

  // it finds the build in pg_stat_progress_create_index, PostgreSQL 12+
  it.runIf(db.major >= 12)(
    'waits for the concurrent index build of a killed runner, then drops the invalid index it left and builds it again',
    async () => {
      const p = await planned('CREATE INDEX users_n ON users (n);', 'orphan');
      // an open snapshot makes the concurrent build wait before it can mark the index valid
      const snapshot = await db.client();
      await snapshot.query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1');
      const run = cli(['run', p.dir, 'expand', '--lock-timeout', '30s']);
      const orphan = await until(
        async () =>
          (
            await c.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_progress_create_index WHERE relid = 'users'::regclass AND phase = 'waiting for old snapshots'`,
            )
          ).rows[0]?.pid,
      );
      run.kill();
      await run.done;
      // the killed runner's session cannot notice while it waits: its build goes on, and so does
      // its hold on the runner lock: the phase is still running
      expect((await status({ databaseUrl: db.url })).map((r) => [r.phase, r.status])).toEqual([['expand', 'running']]);
      const refused = await cli(['run', p.dir, 'expand', '--wait', '1s']).done;
      expect([refused.code, refused.stderr]).toEqual([
        1,
        expect.stringMatching(
          new RegExp(
            `^pgphase: another pgphase runner holds the lock on this database: pid ${orphan} \\([^,]*, pgphase ${p.manifest.id}\\b.*\\); wait for it, or raise --wait\n$`,
          ),
        ),
      ]);
      // the server ends that session (its lock_timeout or an operator): the index stays, invalid
      await c.query('SELECT pg_terminate_backend($1)', [orphan]);
      await until(async () =>
        (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [orphan])).rowCount ? undefined : true,
      );
      expect(await index('users_n')).toMatchObject({ valid: false });
      expect((await status({ databaseUrl: db.url })).map((r) => [r.phase, r.status])).toEqual([
        ['expand', 'interrupted'],
      ]);
      await snapshot.query('COMMIT');
      const rerun = await cli(['run', p.dir, 'expand']).done;
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toContain('{"type":"invalid-index","index":"\\"public\\".\\"users_n\\""}');
      expect(await index('users_n')).toEqual({
        valid: true,
        def: 'CREATE INDEX users_n ON public.users USING btree (n)',
      });
      expect(await catalog(c)).toEqual(p.expected);
      expect((await readState(c, p.manifest.id))[0]).toMatchObject({
        status: 'applied',
        stepsDone: p.manifest.phases[0]!.steps.map((x) => x.id),
      });
    },
  );

  it('drops an invalid leftover index under lock_timeout: retries behind a long transaction instead of queueing', async () => {
    const p = await planned('CREATE INDEX users_n ON users (n);', 'drop-waits');
    // a failed concurrent build of the same name (n is not unique) leaves the index behind, invalid
    await c.query('CREATE UNIQUE INDEX CONCURRENTLY users_n ON users (n)').catch(() => undefined);
    expect(await index('users_n')).toMatchObject({ valid: false });
    const blocker = await db.client();
    await blocker.query('BEGIN; SELECT count(*) FROM users');
    const events: RunEvent[] = [];
    const run = runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'expand',
      lockTimeout: '200ms',
      onEvent: (e) => events.push(e),
    });
    const retry = await until(
      async () => events.find((e): e is Extract<RunEvent, { type: 'retry' }> => e.type === 'retry'),
      5000,
    ).catch(() => undefined);
    await blocker.query('COMMIT');
    expect(await run).toBe('applied');
    expect(retry?.blockers).toEqual([expect.stringContaining('SELECT count(*) FROM users')]);
    expect(events.filter((e) => e.type === 'invalid-index').length).toBeGreaterThan(0);
    expect(await index('users_n')).toEqual({
      valid: true,
      def: 'CREATE INDEX users_n ON public.users USING btree (n)',
    });
  });

  it('is running while its runner works and interrupted once it is killed, in status (API, table, JSON); running it again resumes', async () => {
    await resetSchema(c);
    const setup = 'CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);';
    await c.query(`${setup} INSERT INTO counters (id) SELECT g FROM generate_series(1, 1000) g;`);
    const dir = tempTree({ 'm/001.sql': setup, 'm/002_bump.sql': 'UPDATE counters SET n = n + 1;' });
    const p = await plan({
      file: join(dir, 'm/002_bump.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'plans/002_bump'),
      batchSize: 100,
    });
    const id = p.manifest.id;
    expect(p.manifest.phases.map((x) => x.name)).toEqual(['backfill']);
    const statuses = async () => (await status({ databaseUrl: db.url })).map((r) => r.status);
    const cliStatus = () => runCli(['status', '--database-url', db.url]).stdout;
    const cliJson = () =>
      (JSON.parse(runCli(['status', '--json', '--database-url', db.url]).stdout) as Array<{ status: string }>).map(
        (r) => r.status,
      );

    // a runner resting between two batches: its session holds the runner lock
    const run = cli(['run', p.dir, 'backfill', '--batch-size', '100', '--pause-ms', '60000']);
    await run.line('"type":"batch"');
    expect(await statuses()).toEqual(['running']);
    expect(cliStatus()).toMatch(new RegExp(`\n${id} +backfill +running +0 +100\\b[^\n]*\n$`));
    expect(cliJson()).toEqual(['running']);

    run.kill();
    await run.done;
    // the server ends the idle session of the killed runner, and with it the runner lock
    await until(async () => ((await statuses())[0] === 'interrupted' ? true : undefined));
    expect(cliStatus()).toMatch(
      new RegExp(
        `\n${id} +backfill +interrupted +0 +100\\b[^\n]*\n\n${id} backfill was interrupted \\(no runner is working on it\\): re-run \`pgphase run <plan-dir> backfill\` to resume\n$`,
      ),
    );
    expect(cliJson()).toEqual(['interrupted']);

    const rerun = await cli(['run', p.dir, 'backfill']).done;
    expect(rerun.code).toBe(0);
    expect((await c.query(`SELECT n, count(*)::int AS rows FROM counters GROUP BY n`)).rows).toEqual([
      { n: 1, rows: 1000 },
    ]);
    expect(await statuses()).toEqual(['applied']);
  });
});
