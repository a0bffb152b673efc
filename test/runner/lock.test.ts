// The runner lock against real PostgreSQL: whom a refusal names, and a holder that lets go
// between the runner's try and its question who holds the lock.
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RunnerBusy } from '../../src/errors.js';
import { acquireRunnerLock } from '../../src/runner/lock.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
// advisory locks belong to one database: a runner of another database on the same server
const admin = await db.client();
await admin.query(`CREATE DATABASE ${db.name}_other`);
afterAll(async () => {
  // (DROP DATABASE … WITH (FORCE) is PostgreSQL 13+)
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [`${db.name}_other`]);
  await admin.query(`DROP DATABASE ${db.name}_other`);
});
const elsewhere = new URL(db.url);
elsewhere.pathname = `/${db.name}_other`;

const KEY = `SELECT pg_advisory_lock(${0x70677068}, 1)`;
const pid = async (client: pg.Client) =>
  (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
const holds = async (client: pg.Client) =>
  (
    await client.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = ${0x70677068} AND objid = 1 AND granted`,
    )
  ).rowCount === 1;

describe('the runner lock', () => {
  it("names the holder in this database, not a runner of another database's", async () => {
    const other = new pg.Client({ connectionString: elsewhere.toString() });
    await other.connect();
    await other.query(KEY);
    const holder = await db.client();
    await holder.query(`SET application_name = 'deploy job 7'; ${KEY}`);
    const runner = await db.client();
    const error = await acquireRunnerLock(runner, 0).catch((e: unknown) => e);
    const who = new RegExp(`^pid ${await pid(holder)} \\([^,]*, deploy job 7\\b`);
    const expected = new RegExp(
      `^another pgphase runner holds the lock on this database: pid ${await pid(holder)} \\([^,]*, deploy job 7\\b`,
    );
    await Promise.all([runner.end(), holder.end(), other.end()]);
    expect(error).toBeInstanceOf(RunnerBusy);
    expect((error as Error).message).toMatch(expected);
    expect([(error as RunnerBusy).code, (error as RunnerBusy).exitCode]).toEqual(['runner-busy', 1]);
    expect((error as RunnerBusy).holder).toMatch(who);
  });

  it('takes the lock when its holder lets go between the try and the question who holds it', async () => {
    const holder = await db.client();
    await holder.query(KEY);
    const runner = await db.client();
    const query = runner.query.bind(runner) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
    // the holder lets go right after the runner's first try has failed
    let tries = 0;
    vi.spyOn(runner, 'query').mockImplementation((async (text: string, values?: unknown[]) => {
      const result = await query(text, values);
      if (text.includes('pg_try_advisory_lock') && tries++ === 0) await holder.query('SELECT pg_advisory_unlock_all()');
      return result;
    }) as never);
    const error = await acquireRunnerLock(runner, 0).catch((e: unknown) => e);
    vi.restoreAllMocks();
    const held = await holds(runner);
    await Promise.all([runner.end(), holder.end()]);
    expect([error, tries, held]).toEqual([undefined, 2, true]);
  });
});
