// One runner per database: a session-level advisory lock, held by the session that does the
// runner's work, so that it outlives a dead runner for as long as that session is still busy.
// Taken by polling pg_try_advisory_lock, never by a blocking pg_advisory_lock: a runner
// queued on the lock would itself be an old transaction that a running CREATE INDEX
// CONCURRENTLY of the other runner has to wait for — a deadlock.
import type pg from 'pg';
import { RunnerBusy } from '../errors.js';

/** The lock key: ("pgph", 1) in pg_locks' classid/objid. */
const KEY = [0x70677068, 1] as const;

/** The runner lock's row of pg_locks `l`, granted, in this database: advisory locks belong to one database. */
const HELD = `l.locktype = 'advisory' AND l.classid = ${KEY[0]} AND l.objid = ${KEY[1]} AND l.objsubid = 2 AND l.granted
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * SQL that is true while another session of this database holds the runner lock: the one whose
 * server process id is the SQL expression `pid`, or any when it is NULL. A phase recorded as
 * running while it is false for its runner's session was interrupted: its runner was killed or
 * lost its connection (so a runner, which holds the lock, sees a dead runner's phase so too).
 */
export function runnerLockHeld(pid: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks l WHERE ${HELD} AND l.pid <> pg_backend_pid() AND l.pid = COALESCE(${pid}, l.pid))`;
}

/** Who holds the runner lock, for the message: pid, user, application, since when; undefined once it is free. */
async function holder(client: pg.ClientBase): Promise<string | undefined> {
  const { rows } = await client.query<{
    pid: number;
    usename: string;
    application_name: string;
    client_addr: string | null;
    backend_start: Date;
  }>(
    `SELECT a.pid, a.usename, a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE ${HELD}`,
  );
  const h = rows[0];
  if (!h) return undefined;
  return `pid ${h.pid} (${h.usename}${h.application_name ? `, ${h.application_name}` : ''}${h.client_addr ? ` from ${h.client_addr}` : ''}, connected since ${h.backend_start.toISOString()})`;
}

/** Takes the runner lock, polling until `waitMs` is spent; throws RunnerBusy naming the holder. */
export async function acquireRunnerLock(client: pg.ClientBase, waitMs: number, pollMs = 250): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let again = true; ; ) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [KEY[0], KEY[1]]);
    if (rows[0]?.ok) return;
    if (Date.now() >= deadline) {
      const who = await holder(client);
      // the holder let go between the two queries: the lock is free, one more try
      if (who === undefined && again) {
        again = false;
        continue;
      }
      throw new RunnerBusy(
        `another pgphase runner holds the lock on this database: ${who ?? 'another session (it has just let go)'}; wait for it, or raise --wait`,
        who,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

export async function releaseRunnerLock(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [KEY[0], KEY[1]]);
}
