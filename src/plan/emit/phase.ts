// The SQL of one plan phase as a migration of another tool: what runs in the tool's own
// transaction (or, for a tool that runs statements one by one, the phase file itself), and
// what only `pgphase run` can do safely, for which the migration checks the phase's record.
import { oneLine } from '../../errors.js';
import { quoteLiteral } from '../../sql/names.js';
import { version } from '../../meta.js';
import { recordPhase, recordUndone, STATE_DDL } from '../phase-log.js';
import type { LockMode } from '../../sql/locks.js';
import type { Manifest, ManifestPhase } from '../manifest.js';
import { invalidIndexGuard, phaseFile } from '../render.js';
import { concurrentIndex } from '../sql.js';
import type { PhaseMigration } from './names.js';
import { TOOLS, type EmitLayout, type Tool } from './tools.js';

/**
 * Why a phase cannot run as the tool's migrations, if it cannot: a backfill commits batch by
 * batch; a tool that runs every migration in a transaction cannot run a CONCURRENTLY step; one
 * that runs all pending migrations in one transaction cannot give a scan a transaction of its
 * own, apart from the strong locks earlier steps took (in its phase, or in an earlier phase that
 * may ship in the same run).
 */
export function needsRunner(manifest: Manifest, phase: ManifestPhase, tool: Tool): string | undefined {
  if (tool.model === 'statements') return undefined;
  if (phase.backfills?.length)
    return 'its backfill commits batch by batch, which a migration run in one transaction cannot do';
  if (!tool.outside && phase.steps.some((s) => s.concurrent))
    return `its CONCURRENTLY step cannot run in a transaction, and ${tool.title} runs every migration in one`;
  const earlier = manifest.phases.slice(0, manifest.phases.indexOf(phase)).flatMap((p) => p.steps);
  const scansAfterStrongLock =
    transactions(phase).length > 1 ||
    (earlier.some((s) => s.lockMode && STRONG.has(s.lockMode)) &&
      phase.steps.some((s) => s.lockMode && LONG.has(s.lockMode)));
  if (tool.model === 'pending' && scansAfterStrongLock)
    return `its scans must not run under the locks earlier steps took, and ${tool.title} runs all pending migrations in one transaction`;
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

/**
 * Records the phase's progress as `pgphase run` does, in the transaction of its steps, so the
 * runner and verify see it: applied after the last of its migrations; after an earlier one,
 * running with the steps done (a runner then resumes the phase from there).
 */
function record(manifest: Manifest, phase: ManifestPhase, tool: string, done: number, by: string): string {
  const ids = phase.steps.slice(0, done).map((s) => quoteLiteral(s.id));
  const steps = ids.length ? `ARRAY[${ids.join(', ')}]` : `'{}'::text[]`;
  const status = done === phase.steps.length ? 'applied' : 'running';
  const row = {
    planId: quoteLiteral(manifest.id),
    phase: quoteLiteral(phase.name),
    checksum: quoteLiteral(phase.sha256),
    status: `'${status}'`,
    stepsDone: steps,
    backfill: `'[]'`,
    runBy: `jsonb_build_object('user', current_user, 'host', ${quoteLiteral(tool)}, 'pid', pg_backend_pid(), 'version', ${quoteLiteral(by)})`,
    finishedAt: status === 'applied' ? 'now()' : 'NULL',
  };
  return `-- the record pgphase run and pgphase verify read\n${STATE_DDL.trim()};\n${recordPhase(row, false)};\n`;
}

/** After undoing the steps from `from` on: rolled back when none is left, else running with the earlier ones done. */
function undone(manifest: Manifest, phase: ManifestPhase, from: number): string {
  const ids = phase.steps.slice(0, from).map((s) => quoteLiteral(s.id));
  return `${recordUndone(quoteLiteral(manifest.id), quoteLiteral(phase.name), from === 0 ? undefined : `ARRAY[${ids.join(', ')}]`)};\n`;
}

function steps(sqls: Array<{ sql: string; lockTimeout: string }>): string {
  return sqls.map((s) => `SET LOCAL lock_timeout = ${quoteLiteral(s.lockTimeout)};\n${s.sql};\n`).join('');
}

const undo = (list: ManifestPhase['steps']) =>
  [...list].reverse().map((s) => ({ sql: s.down!, lockTimeout: s.lockTimeout }));

const STRONG = new Set<LockMode>(['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE']);
/** Steps that scan or write rows: a VALIDATE, an UPDATE of the rows a backfill left. */
const LONG = new Set<LockMode>(['SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE']);

/**
 * The phase's steps in transactions: the runner commits each step on its own; in a tool's one
 * transaction per file, a step that scans rows must not run under a strong lock an earlier step
 * took (VALIDATE after ADD CONSTRAINT … NOT VALID would scan under ACCESS EXCLUSIVE), so it
 * starts a migration of its own. The index of each group's first step.
 */
export function transactions(phase: ManifestPhase): number[] {
  const starts = [0];
  let strong = false;
  phase.steps.forEach((step, i) => {
    // a CONCURRENTLY step is a migration of its own, outside a transaction
    const alone = step.concurrent || phase.steps[i - 1]?.concurrent;
    if (i > 0 && (alone || (strong && step.lockMode && LONG.has(step.lockMode)))) {
      starts.push(i);
      strong = false;
    }
    if (step.lockMode && STRONG.has(step.lockMode)) strong = true;
  });
  return starts;
}

/**
 * The phase as the tool's migrations, in order: one, or one per transaction its steps need.
 * `by` is the pgphase version they record: this one's, or an earlier one's to recognise what it wrote.
 */
export function phaseMigrations(
  manifest: Manifest,
  phase: ManifestPhase,
  options: { tool: EmitLayout; planRef: string; by?: string },
): PhaseMigration[] {
  const tool = TOOLS[options.tool];
  const by = options.by ?? version;
  // a line break in the plan directory's path would end the comment
  const head = `-- pgphase plan ${manifest.id} · ${phase.name}, from ${oneLine(options.planRef)}/${phase.file} (pgphase plan --emit ${options.tool}): change the plan, not this file\n`;
  const why = needsRunner(manifest, phase, tool);
  const verify = `${head}${appliedCheck(manifest, phase, options.planRef, 'its migration has not run')}`;
  // a phase with a CONCURRENTLY step is undone by pgphase rollback (outside a transaction), or not at all
  const cannotUndo = phase.down
    ? phase.steps.some((s) => s.concurrent)
      ? raise(
          `plan ${manifest.id}: the ${phase.name} phase is undone outside a transaction: run \`pgphase rollback ${options.planRef} ${phase.name}\`, then mark this migration undone`,
        )
      : undefined
    : raise(
        `plan ${manifest.id}: the ${phase.name} phase cannot be undone; to go back, restore from a backup taken before it ran`,
      );
  const down = (undoing: string) => `${head}${cannotUndo ?? undoing}`;
  if (tool.model === 'statements') {
    // psql -f runs the phase file as written: each step its own transaction, the backfill's batches each committed
    const up = `${head}${checks(manifest, phase)}\n${phaseFile(manifest.id, phase)}\nBEGIN;\n${record(manifest, phase, options.tool, phase.steps.length, by)}COMMIT;\n`;
    return [
      {
        kind: 'steps',
        up,
        down: down(`BEGIN;\n${steps(undo(phase.steps))}${undone(manifest, phase, 0)}COMMIT;\n`),
        verify,
      },
    ];
  }
  if (why) {
    const up = `${head}-- ${why}: pgphase run applies it, and this migration checks that it did\n${appliedCheck(manifest, phase, options.planRef, why)}`;
    return [{ kind: 'check', up, down: down(`${steps(undo(phase.steps))}${undone(manifest, phase, 0)}`), verify }];
  }
  const starts = transactions(phase);
  const migrations: PhaseMigration[] = [];
  starts.forEach((from, g) => {
    const to = starts[g + 1] ?? phase.steps.length;
    const first = phase.steps[from];
    if (first?.concurrent) {
      migrations.push({
        kind: 'steps',
        noTransaction: true,
        up: `${head}-- outside a transaction\n${first.sql};\n`,
        down: down(''),
        verify,
      });
      // after it, in a transaction: a build that failed earlier leaves an invalid index, which IF NOT EXISTS skips
      const index = concurrentIndex(first.sql);
      if (to === phase.steps.length || phase.steps[to]?.concurrent) {
        migrations.push({
          kind: 'steps',
          up: `${head}${index ? invalidIndexGuard(index) : ''}${record(manifest, phase, options.tool, to, by)}`,
          down: down(''),
          verify,
        });
      }
      return;
    }
    const after = phase.steps[from - 1];
    const guard = after?.concurrent && concurrentIndex(after.sql);
    const up = `${head}${g === 0 ? checks(manifest, phase) : ''}${guard ? invalidIndexGuard(guard) : ''}${steps(phase.steps.slice(from, to))}${record(manifest, phase, options.tool, to, by)}`;
    migrations.push({
      kind: 'steps',
      up,
      down: down(`${steps(undo(phase.steps.slice(from, to)))}${undone(manifest, phase, from)}`),
      verify,
    });
  });
  return migrations;
}
