// `pgphase verify` after an application rollback: the database's pgphase state was written by
// the migration job of a newer release, whose plans the older release does not ship. Real runs
// of the real plans, verify through the CLI: exit codes and the one-line messages.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import type { PhaseName } from '../../src/plan/types.js';
import { runPhase } from '../../src/runner/run.js';
import { readState } from '../../src/runner/state.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, age int);
CREATE TABLE audit (id bigint PRIMARY KEY, note text);`;
const root = tempTree({
  'm/001_tables.sql': SETUP,
  'm/002_nick.sql': 'ALTER TABLE users ADD COLUMN nick text;', // expand only
  'm/003_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;', // expand, trigger, backfill, contract
  'm/004_rename_email.sql': 'ALTER TABLE users RENAME COLUMN email TO mail;', // expand, trigger, backfill, contract
  'm/005_drops.sql': 'ALTER TABLE users DROP COLUMN age;\nALTER TABLE audit DROP COLUMN note;', // contract only, one step per table
});
for (const id of ['002_nick', '003_rename', '004_rename_email', '005_drops']) {
  await plan({ file: join(root, `m/${id}.sql`), history: join(root, 'm'), out: join(root, `all/${id}`) });
}

/** A release's plans directory: the plan directories it ships. */
function release(name: string, ids: string[]): string {
  mkdirSync(join(root, name));
  for (const id of ids) cpSync(join(root, 'all', id), join(root, name, id), { recursive: true });
  return name;
}
// release 0 ships the first plan; release 1 adds the rename it deploys; release 2 adds two more
const r0 = release('release-0', ['002_nick']);
const r1 = release('release-1', ['002_nick', '003_rename']);
const r2 = release('release-2', ['002_nick', '003_rename', '004_rename_email', '005_drops']);

/** The migration job: applies these phases of a plan, in order. */
async function job(
  id: string,
  phases: PhaseName[],
  options: { lockTimeout?: string; retries?: number } = {},
): Promise<void> {
  for (const phase of phases)
    await runPhase({ planDir: join(root, 'all', id), databaseUrl: db.url, phase, ...options });
}

/** `pgphase verify <release>` as an application pod runs it at start-up. */
function verify(dir: string, ...flags: string[]) {
  const r = runCli(['verify', dir, '--database-url', db.url, ...flags], { cwd: root });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

const state = async () =>
  (await readState(c)).map((r) => ({
    plan: r.planId,
    phase: r.phase,
    status: r.status,
    steps: r.stepsDone,
    finished: r.finishedAt?.toISOString(),
    pid: r.runBy.pid,
  }));

// One story, in order: each step builds on the state the previous one left.
describe('verify after an application rollback (the state written by a newer release)', () => {
  it('release 1 is expanded: release 1 may start, and so may release 0 (a plan it does not know is only expanded)', async () => {
    await c.query(
      `${SETUP} INSERT INTO users (id, name, email) SELECT g, 'user ' || g, g || '@example.com' FROM generate_series(1, 200) g;`,
    );
    await job('002_nick', ['expand']);
    await job('003_rename', ['expand', 'trigger']);
    expect(verify(r1)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 2 plans of this release need\n',
      stderr: '',
    });
    expect(verify(r0)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 1 plan of this release needs; 1 newer plan not contracted\n',
      stderr: '',
    });
  });

  it("once release 1's plan is contracted, release 0 may no longer start; release 1 still may", async () => {
    await job('003_rename', ['backfill', 'contract']);
    expect(verify(r0)).toEqual({
      code: 1,
      stdout: 'incompatible: plan 003_rename was contracted by a newer release: this version can no longer run\n',
      stderr: '',
    });
    expect(verify(r1).code).toBe(0);
  });

  it('release 2 expands, triggers and backfills a plan release 1 does not know: rolling back to release 1 works', async () => {
    await job('004_rename_email', ['expand', 'trigger', 'backfill']);
    expect(verify(r2)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 4 plans of this release need\n',
      stderr: '',
    });
    expect(verify(r1)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 2 plans of this release need; 1 newer plan not contracted\n',
      stderr: '',
    });
    // and the old release works against that schema: it reads and writes "email", which the trigger keeps in sync
    await c.query(`INSERT INTO users (id, full_name, email) VALUES (1000, 'old app', 'old@example.com')`);
    expect((await c.query(`SELECT mail FROM users WHERE id = 1000`)).rows).toEqual([{ mail: 'old@example.com' }]);
  });

  it("release 1's migration job, run again on the rollback, changes nothing and exits 0", async () => {
    const before = await state();
    const expand = runCli(['run', join(r1, '002_nick'), 'expand', '--database-url', db.url], { cwd: root });
    expect([expand.code, expand.stderr]).toEqual([
      0,
      '{"type":"phase","phase":"expand","outcome":"already-applied","ms":0}\n',
    ]);
    const all = runCli(['run', join(r1, '003_rename'), '--all', '--database-url', db.url], { cwd: root });
    expect(all.code).toBe(0);
    expect(
      all.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: string })
        .map((e) => e.outcome),
    ).toEqual(['already-applied', 'already-applied', 'already-applied', 'already-applied']);
    expect(await state()).toEqual(before);
  });

  it('a newer contract that failed before its first step keeps release 1 compatible; one that failed after it does not', async () => {
    const blocker = await db.client();
    // users is locked: the contract's first step (drop users.age) times out, nothing is dropped
    await blocker.query('BEGIN; LOCK TABLE users IN ACCESS SHARE MODE');
    await expect(job('005_drops', ['contract'], { lockTimeout: '100ms', retries: 0 })).rejects.toThrow(/lock timeout/);
    await blocker.query('ROLLBACK');
    expect((await state()).find((s) => s.plan === '005_drops')).toMatchObject({ status: 'failed', steps: [] });
    expect(verify(r1)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 2 plans of this release need; 2 newer plans not contracted\n',
      stderr: '',
    });
    // audit is locked: users.age is dropped, then the second step times out
    await blocker.query('BEGIN; LOCK TABLE audit IN ACCESS SHARE MODE');
    await expect(job('005_drops', ['contract'], { lockTimeout: '100ms', retries: 0 })).rejects.toThrow(/lock timeout/);
    await blocker.query('ROLLBACK');
    expect((await state()).find((s) => s.plan === '005_drops')).toMatchObject({
      status: 'failed',
      steps: [expect.stringContaining('age')],
    });
    expect(verify(r1)).toEqual({
      code: 1,
      stdout: 'incompatible: plan 005_drops was partly contracted by a newer release: this version can no longer run\n',
      stderr: '',
    });
    // release 2 ships that plan: its failed contract does not stop it
    expect(verify(r2).code).toBe(0);
  });

  it('once release 2 has contracted its plans, release 1 may no longer start, and says which plans broke it', async () => {
    await job('005_drops', ['contract']);
    await job('004_rename_email', ['contract']);
    expect(verify(r1)).toEqual({
      code: 1,
      stdout:
        'incompatible: plan 004_rename_email was contracted by a newer release: this version can no longer run\n' +
        'incompatible: plan 005_drops was contracted by a newer release: this version can no longer run\n',
      stderr: '',
    });
    const json = verify(r1, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      compatible: false,
      problems: [
        {
          plan: '004_rename_email',
          kind: 'contracted',
          message: 'plan 004_rename_email was contracted by a newer release: this version can no longer run',
        },
        {
          plan: '005_drops',
          kind: 'contracted',
          message: 'plan 005_drops was contracted by a newer release: this version can no longer run',
        },
      ],
      plans: [
        { id: '002_nick', shipped: true, applied: ['expand'] },
        { id: '003_rename', shipped: true, applied: ['expand', 'trigger', 'backfill', 'contract'] },
        { id: '004_rename_email', shipped: false, applied: ['expand', 'trigger', 'backfill', 'contract'] },
        { id: '005_drops', shipped: false, applied: ['contract'] },
      ],
    });
    // --wait cannot help: it polls until the time is up, then says the same
    const waited = verify(r1, '--wait', '300ms');
    expect([waited.code, waited.stdout.split('\n').length]).toEqual([1, 3]);
    expect(verify(r2)).toEqual({
      code: 0,
      stdout: 'compatible: the database has what the 4 plans of this release need\n',
      stderr: '',
    });
  });
});
