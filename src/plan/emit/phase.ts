// The SQL of one plan phase as a migration of another tool: what runs in the tool's own
// transaction (or, for a tool that runs statements one by one, the phase file itself), and
// what only `pgphase run` can do safely, for which the migration checks the phase's record.
import { quoteLiteral } from '../../sql/names.js';
import { version } from '../../meta.js';
import { STATE_DDL } from '../../runner/state.js';
import type { Manifest, ManifestPhase } from '../manifest.js';
import { phaseFile } from '../render.js';

/** How a tool runs a migration file: in one transaction (its own, or one query string), or statement by statement (psql -f). */
export type ToolModel = 'transaction' | 'statements';

export interface PhaseMigration {
  /** The phase's work runs in the migration, or the migration checks that `pgphase run` has applied it. */
  kind: 'steps' | 'check';
  up: string;
  /** The undo; absent when the tool keeps no down migrations. */
  down: string;
}

/** Why a phase cannot run inside one transaction, if it cannot. */
export function needsRunner(phase: ManifestPhase): string | undefined {
  if (phase.backfills?.length) return 'its backfill commits batch by batch, which a migration run in one transaction cannot do';
  if (phase.steps.some((s) => s.concurrent)) return 'it builds an index CONCURRENTLY, which cannot run inside a transaction';
  return undefined;
}

const raise = (message: string) => `DO ${quoteLiteral(`BEGIN RAISE EXCEPTION '%', ${quoteLiteral(message)}; END`)};\n`;

/** Fails unless pgphase's record says the phase is applied; without the record table the check query is never planned. */
function appliedCheck(manifest: Manifest, phase: ManifestPhase, planRef: string, why: string): string {
  const message = `plan ${manifest.id}: the ${phase.name} phase is not applied (${why}): run \`pgphase run ${planRef} ${phase.name}\`, then this migration again`;
  const applied = `SELECT FROM pgphase.phase_log WHERE plan_id = ${quoteLiteral(manifest.id)} AND phase = ${quoteLiteral(phase.name)} AND status = 'applied'`;
  const body = `BEGIN
  IF to_regclass('pgphase.phase_log') IS NOT NULL THEN
    IF EXISTS (${applied}) THEN RETURN; END IF;
  END IF;
  RAISE EXCEPTION '%', ${quoteLiteral(message)};
END`;
  return `DO ${quoteLiteral(body)};\n`;
}

/** The plan's checks before this phase, which `pgphase run` would make: each must find no row. */
function checks(manifest: Manifest, phase: ManifestPhase): string {
  return manifest.checks
    .filter((c) => c.before === phase.name)
    .map((c) => {
      const message = `plan ${manifest.id}: ${phase.name} refused, a check still returns rows (is the backfill complete?): ${c.sql}`;
      return `DO ${quoteLiteral(`BEGIN IF EXISTS (${c.sql}) THEN RAISE EXCEPTION '%', ${quoteLiteral(message)}; END IF; END`)};\n`;
    })
    .join('');
}

/** Records the phase as applied, as `pgphase run` does, so the runner and verify see it; in the same transaction as its steps. */
function record(manifest: Manifest, phase: ManifestPhase, tool: string): string {
  const steps = phase.steps.length ? `ARRAY[${phase.steps.map((s) => quoteLiteral(s.id)).join(', ')}]` : `'{}'::text[]`;
  const by = `jsonb_build_object('user', current_user, 'host', ${quoteLiteral(tool)}, 'pid', pg_backend_pid(), 'version', ${quoteLiteral(version)})`;
  return `-- the record pgphase run and pgphase verify read
${STATE_DDL.trim()};
INSERT INTO pgphase.phase_log (plan_id, phase, checksum, status, steps_done, run_by, finished_at)
VALUES (${quoteLiteral(manifest.id)}, ${quoteLiteral(phase.name)}, ${quoteLiteral(phase.sha256)}, 'applied', ${steps}, ${by}, now())
ON CONFLICT (plan_id, phase) DO UPDATE SET status = 'applied', checksum = excluded.checksum, steps_done = excluded.steps_done, run_by = excluded.run_by, finished_at = now(), last_error = NULL;
`;
}

const rolledBack = (manifest: Manifest, phase: ManifestPhase) =>
  `UPDATE pgphase.phase_log SET status = 'rolled_back', steps_done = '{}', finished_at = now() WHERE plan_id = ${quoteLiteral(manifest.id)} AND phase = ${quoteLiteral(phase.name)};\n`;

function steps(sqls: Array<{ sql: string; lockTimeout: string }>): string {
  return sqls.map((s) => `SET LOCAL lock_timeout = ${quoteLiteral(s.lockTimeout)};\n${s.sql};\n`).join('');
}

export function phaseMigration(manifest: Manifest, phase: ManifestPhase, options: { tool: string; model: ToolModel; planRef: string }): PhaseMigration {
  const head = `-- pgphase plan ${manifest.id} · ${phase.name}, from ${options.planRef}/${phase.file} (pgphase plan --emit ${options.tool}): change the plan, not this file\n`;
  const why = needsRunner(phase);
  let up: string;
  let kind: PhaseMigration['kind'] = 'steps';
  if (options.model === 'statements') {
    // psql -f runs the phase file as written: each step its own transaction, the backfill's batches each committed
    up = `${head}${checks(manifest, phase)}\n${phaseFile(manifest.id, phase)}\nBEGIN;\n${record(manifest, phase, options.tool)}COMMIT;\n`;
  } else if (why) {
    kind = 'check';
    up = `${head}-- ${why}: pgphase run applies it, and this migration checks that it did\n${appliedCheck(manifest, phase, options.planRef, why)}`;
  } else {
    up = `${head}${checks(manifest, phase)}${steps(phase.steps)}${record(manifest, phase, options.tool)}`;
  }
  let down: string;
  if (!phase.down) {
    down = `${head}${raise(`plan ${manifest.id}: the ${phase.name} phase cannot be undone; to go back, restore from a backup taken before it ran`)}`;
  } else if (phase.steps.some((s) => s.concurrent)) {
    down = `${head}${raise(`plan ${manifest.id}: the ${phase.name} phase is undone outside a transaction: run \`pgphase rollback ${options.planRef} ${phase.name}\`, then mark this migration undone`)}`;
  } else {
    const undo = [...phase.steps].reverse().map((s) => ({ sql: s.down!, lockTimeout: s.lockTimeout }));
    const body = `${steps(undo)}${rolledBack(manifest, phase)}`;
    down = `${head}${options.model === 'statements' ? `BEGIN;\n${body}COMMIT;\n` : body}`;
  }
  return { kind, up, down };
}
