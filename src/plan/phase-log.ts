// pgphase's record of each plan phase, the table pgphase.phase_log, as SQL: its definition and
// the statements that record a phase, written once for the runner (with parameters) and for the
// migrations `plan --emit` writes (with literals). Data only: nothing here talks to a database.

export const STATE_DDL = `
CREATE SCHEMA IF NOT EXISTS pgphase;
CREATE TABLE IF NOT EXISTS pgphase.phase_log (
  plan_id text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('expand', 'trigger', 'backfill', 'contract')),
  checksum text NOT NULL,
  checksum_algorithm text NOT NULL DEFAULT 'sha256',
  status text NOT NULL CHECK (status IN ('running', 'applied', 'failed', 'rolled_back')),
  steps_done text[] NOT NULL DEFAULT '{}',
  backfill jsonb NOT NULL DEFAULT '[]',
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  run_by jsonb NOT NULL,
  last_error text,
  PRIMARY KEY (plan_id, phase)
)`;

/** A phase's row, each value a SQL expression: a parameter (`$1`) or a quoted literal. */
export interface PhaseRow {
  planId: string;
  phase: string;
  checksum: string;
  status: string;
  stepsDone: string;
  backfill: string;
  runBy: string;
  finishedAt: string;
}

/**
 * Records a phase: its row inserted, or updated. A phase that was rolled back starts over with
 * the row's steps and backfill progress; otherwise the recorded backfill progress is kept, and
 * the recorded steps too when `keepSteps` (a runner resuming), else replaced by the row's.
 */
export function recordPhase(row: PhaseRow, keepSteps: boolean): string {
  const kept = (column: string) =>
    `CASE WHEN pgphase.phase_log.status = 'rolled_back' THEN excluded.${column} ELSE pgphase.phase_log.${column} END`;
  return `INSERT INTO pgphase.phase_log (plan_id, phase, checksum, status, steps_done, backfill, run_by, finished_at)
VALUES (${row.planId}, ${row.phase}, ${row.checksum}, ${row.status}, ${row.stepsDone}, ${row.backfill}, ${row.runBy}, ${row.finishedAt})
ON CONFLICT (plan_id, phase) DO UPDATE SET status = excluded.status, checksum = excluded.checksum, run_by = excluded.run_by, finished_at = excluded.finished_at, last_error = NULL,
  steps_done = ${keepSteps ? kept('steps_done') : 'excluded.steps_done'}, backfill = ${kept('backfill')}`;
}

/** A phase undone down to `stepsLeft` (a SQL array expression): rolled back when none is left, else running with those done. */
export function recordUndone(planId: string, phase: string, stepsLeft?: string): string {
  const set =
    stepsLeft === undefined
      ? `status = 'rolled_back', steps_done = '{}', backfill = '[]', finished_at = now()`
      : `status = 'running', steps_done = ${stepsLeft}, finished_at = NULL`;
  return `UPDATE pgphase.phase_log SET ${set} WHERE plan_id = ${planId} AND phase = ${phase}`;
}
