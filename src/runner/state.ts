// The runner's record in the database: schema `pgphase`, one row per plan phase.
import { hostname } from 'node:os';
import type pg from 'pg';
import { version } from '../meta.js';
import type { PhaseName } from '../plan/types.js';
import { recordPhase, recordUndone, STATE_DDL } from '../plan/phase-log.js';
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
  const { rows } = await client.query<{ u: string; backend: number }>(
    'SELECT current_user AS u, pg_backend_pid() AS backend',
  );
  return { user: rows[0]!.u, host: hostname(), pid: process.pid, version, backendPid: rows[0]!.backend };
}

/** Which row of pgphase.phase_log: the plan's id and the phase. */
export type PhaseKey = readonly [planId: string, phase: PhaseName];

/** Records that a phase starts (or resumes): running, with its checksum, runner and backfills' starting progress. */
export async function startPhase(
  client: pg.ClientBase,
  [planId, phase]: PhaseKey,
  checksum: string,
  by: PhaseRecord['runBy'],
  backfills: PhaseRecord['backfill'],
): Promise<void> {
  const sql = recordPhase(
    {
      planId: '$1',
      phase: '$2',
      checksum: '$3',
      status: `'running'`,
      stepsDone: `'{}'`,
      backfill: '$5',
      runBy: '$4',
      finishedAt: 'NULL',
    },
    true,
  );
  await client.query(sql, [planId, phase, checksum, JSON.stringify(by), JSON.stringify(backfills)]);
}

/** Records a step as done (`done`) or undone, in the transaction of the step itself. */
export async function recordStep(
  client: pg.ClientBase,
  [planId, phase]: PhaseKey,
  step: string,
  done: boolean,
): Promise<void> {
  const steps = done ? 'array_append(steps_done, $3)' : 'array_remove(steps_done, $3)';
  await client.query(`UPDATE pgphase.phase_log SET steps_done = ${steps} WHERE plan_id = $1 AND phase = $2`, [
    planId,
    phase,
    step,
  ]);
}

/** Records a backfill's progress (its cursor, rows, total, done), in the transaction of the batch. */
export async function recordBackfill(
  client: pg.ClientBase,
  [planId, phase]: PhaseKey,
  backfill: number,
  progress: unknown,
): Promise<void> {
  await client.query(
    `UPDATE pgphase.phase_log SET backfill = jsonb_set(backfill, $3::text[], $4::jsonb) WHERE plan_id = $1 AND phase = $2`,
    [planId, phase, [String(backfill)], JSON.stringify(progress)],
  );
}

/** Records how a phase ended: applied, or failed with the error's message. */
export async function finishPhase(
  client: pg.ClientBase,
  [planId, phase]: PhaseKey,
  outcome: { applied: true } | { failed: string },
): Promise<void> {
  if ('applied' in outcome)
    await client.query(
      `UPDATE pgphase.phase_log SET status = 'applied', finished_at = now() WHERE plan_id = $1 AND phase = $2`,
      [planId, phase],
    );
  else
    await client.query(
      `UPDATE pgphase.phase_log SET status = 'failed', last_error = $3 WHERE plan_id = $1 AND phase = $2`,
      [planId, phase, outcome.failed],
    );
}

/** Records a phase as rolled back, every step undone. */
export async function finishRollback(client: pg.ClientBase, [planId, phase]: PhaseKey): Promise<void> {
  await client.query(recordUndone('$1', '$2'), [planId, phase]);
}
