// The runner's record in the database: schema `pgphase`, one row per plan phase.
import { hostname } from 'node:os';
import type pg from 'pg';
import { version } from '../meta.js';
import type { PhaseName } from '../plan/types.js';
import { STATE_DDL } from '../plan/phase-log.js';
import { runnerLockHeld } from './lock.js';

/**
 * A phase's state. `interrupted` is never stored: it is a phase recorded as `running` while no other
 * session holds the runner lock (its runner was killed or lost its connection); running the
 * phase again resumes it.
 */
export type PhaseStatus = 'running' | 'interrupted' | 'applied' | 'failed' | 'rolled_back';

export interface PhaseRecord {
  planId: string;
  phase: PhaseName;
  checksum: string;
  checksumAlgorithm: string;
  status: PhaseStatus;
  stepsDone: string[];
  /** Per backfill (by index in the phase): the last key done, as JSON, and the rows changed. */
  backfill: Array<{ cursor: unknown[] | null; rows: number; total: number | null; done: boolean }>;
  startedAt: Date;
  finishedAt: Date | null;
  /** `pid` is the runner process's; `backendPid` the server process of the session that holds
   *  the runner lock while it works (absent in records written before pgphase kept it). */
  runBy: { user: string; host: string; pid: number; version: string; backendPid?: number };
  lastError: string | null;
}

/** The status column as it is read: a `running` phase whose runner's session no longer holds
 *  the runner lock is `interrupted` (the lock serves one runner at a time, and another runner,
 *  on another plan, may hold it meanwhile). */
export const STATUS = `CASE WHEN status = 'running' AND NOT ${runnerLockHeld(`(run_by->>'backendPid')::int`)} THEN 'interrupted' ELSE status END`;

/** Creates the state schema and table if they are missing (idempotent). */
export async function ensureState(client: pg.ClientBase): Promise<void> {
  await client.query(STATE_DDL);
}

interface Row {
  plan_id: string;
  phase: PhaseName;
  checksum: string;
  checksum_algorithm: string;
  status: PhaseStatus;
  steps_done: string[];
  backfill: PhaseRecord['backfill'];
  started_at: Date;
  finished_at: Date | null;
  run_by: PhaseRecord['runBy'];
  last_error: string | null;
}

function fromRow(r: Row): PhaseRecord {
  return {
    planId: r.plan_id,
    phase: r.phase,
    checksum: r.checksum,
    checksumAlgorithm: r.checksum_algorithm,
    status: r.status,
    stepsDone: r.steps_done,
    backfill: r.backfill,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    runBy: r.run_by,
    lastError: r.last_error,
  };
}

/** Every recorded phase, or none when the state table does not exist yet (read-only: creates nothing). */
export async function readState(client: pg.ClientBase, planId?: string): Promise<PhaseRecord[]> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('pgphase.phase_log')::text AS t`);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await client.query<Row>(
    `SELECT plan_id, phase, checksum, checksum_algorithm, ${STATUS} AS status, steps_done, backfill, started_at, finished_at, run_by, last_error
       FROM pgphase.phase_log WHERE $1::text IS NULL OR plan_id = $1 ORDER BY started_at, plan_id, array_position(ARRAY['expand','trigger','backfill','contract'], phase)`,
    [planId ?? null],
  );
  return rows.map(fromRow);
}

/** Who runs this process, for the record. */
export async function runBy(client: pg.ClientBase): Promise<PhaseRecord['runBy']> {
  const { rows } = await client.query<{ u: string; backend: number }>('SELECT current_user AS u, pg_backend_pid() AS backend');
  return { user: rows[0]!.u, host: hostname(), pid: process.pid, version, backendPid: rows[0]!.backend };
}
