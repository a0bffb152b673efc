// Turns a planned migration into the plan directory of CLI.md: plain SQL phase files any
// migration tool can run, their .down.sql, plan.json and a README for the reviewer.
import { createHash } from 'node:crypto';
import { PlanError } from '../errors.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../sql/names.js';
import type { LockMode } from '../sql/locks.js';
import { validateManifest, type Manifest, type ManifestPhase } from './manifest.js';
import type { Planned, PlannedPhase } from './planner.js';
import {
  backfillStatement,
  batchDriver,
  batchStatement,
  changedTable,
  firingTriggersSql,
  keyRow,
  keysStatements,
  keysTable,
  ROW_NUMBER,
  statementNode,
  withPredicate,
} from './batch.js';
import { concurrentIndex, derivedName } from './sql.js';
import { MANIFEST_VERSION, type PhaseName, type SchemaObject } from './types.js';

export interface RenderOptions {
  id: string;
  source: { path: string; text: string };
  pgVersion: number;
  batchSize: number;
  lockTimeout: string;
  /** Where the plan differs from the migration on the schema model (model-check.ts); written only with --allow-unsafe. */
  modelCheck?: string[];
  /** The plan's objects present after each phase (present.ts), for verify. */
  present?: Partial<Record<PhaseName, SchemaObject[]>>;
}

export interface RenderedPlan {
  manifest: Manifest;
  /** File name → content, plan.json included. */
  files: Map<string, string>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const LOCK_EFFECT: Record<LockMode, string> = {
  'ACCESS SHARE': 'blocks nothing but ACCESS EXCLUSIVE',
  'ROW SHARE': 'blocks only EXCLUSIVE locks',
  'ROW EXCLUSIVE': 'blocks nothing an application does',
  'SHARE UPDATE EXCLUSIVE': 'reads and writes go on',
  SHARE: 'blocks writes while it runs',
  'SHARE ROW EXCLUSIVE': 'blocks writes for a moment',
  EXCLUSIVE: 'blocks writes for a moment',
  'ACCESS EXCLUSIVE': 'blocks reads and writes for a moment (catalog change, no scan)',
};

type ManifestStep = ManifestPhase['steps'][number];

/**
 * After a concurrent index build in a phase file: a failed earlier run leaves the index
 * invalid, and `IF NOT EXISTS` then skips it, so a tool running the file would go on without
 * the index (and without its uniqueness). Stop instead, saying how to clear it. (The runner
 * drops such leftovers itself before it builds.)
 */
export function invalidIndexGuard(index: string): string {
  const body = `BEGIN IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(${quoteLiteral(index)}) AND NOT indisvalid) THEN RAISE EXCEPTION '%', ${quoteLiteral(`index ${index} is invalid, left by a failed build: run DROP INDEX CONCURRENTLY ${index}; then this file again`)}; END IF; END`;
  return `DO ${quoteLiteral(body)};\n`;
}

function stepSql(step: ManifestStep, sql: string, id: string): string {
  const head = `-- ${id}${step.lockMode ? ` · ${step.lockMode}` : ''}`;
  if (step.concurrent) {
    const index = concurrentIndex(sql);
    return `${head} · outside a transaction\n${sql};\n${index ? invalidIndexGuard(index) : ''}`;
  }
  return `${head}\nBEGIN;\nSET LOCAL lock_timeout = ${quoteLiteral(step.lockTimeout)};\n${sql};\nCOMMIT;\n`;
}

/**
 * A procedure that does what the runner's backfill does, for other tools: keyset batches in
 * key order, each bounded on both sides (on the statement's parse tree) and committed on its own.
 * It can commit only when CALLed on its own; a tool that sends the file as one query, or wraps it
 * in a transaction, gets one clear error before any batch (or nothing to do, once `pgphase run`
 * has applied the phase): the statement before CREATE PROCEDURE notes its transaction, and the
 * procedure finds itself in the same one.
 */
function backfillProcedure(
  b: NonNullable<ManifestPhase['backfills']>[number],
  planId: string,
  n: number,
  lockTimeout: string,
): string {
  const batchSize = b.batchSize;
  const table = quoteQualified(b.table);
  const proc = quoteQualified({ schema: b.table.schema, name: derivedName(`pgphase_backfill_${planId}`, String(n)) });
  const cols = b.key.map(quoteIdent).join(', ');
  const statement = backfillStatement(b);
  // a DELETE that reads its own table deletes the keys chosen before its first batch, walking them
  const keys = b.snapshot ? keysTable(b, planId, n) : undefined;
  const batched = batchStatement(b, keys);
  const driver = batchDriver(...statementNode(batched));
  if (typeof driver === 'string')
    throw new PlanError(
      `plan.json: backfill ${n} of plan ${planId} cannot be batched (${driver}): re-run \`pgphase plan\``,
    );
  // the bounds of a batch, one variable per key column: a column's type, or the number of an INSERT's row in its keys table
  const bound = (side: string) => b.key.map((_, i) => `pgphase_${side}_${i + 1}`);
  const [lo, hi, first, last] = [
    `(${bound('lo').join(', ')})`,
    `(${bound('hi').join(', ')})`,
    'pgphase_lo_1',
    'pgphase_hi_1',
  ];
  const declared = b.key
    .map((k) => (k === ROW_NUMBER && b.snapshot ? 'bigint' : `${table}.${quoteIdent(k)}%TYPE`))
    .flatMap((type, i) => [`  pgphase_lo_${i + 1} ${type};`, `  pgphase_hi_${i + 1} ${type};`]);
  const row = keyRow(driver.ref, b.key);
  const batch = withPredicate(batched, `(${first} IS NULL OR ${row} > ${lo}) AND (${last} IS NULL OR ${row} <= ${hi})`);
  const refusal = `backfill ${n} of plan ${planId} commits batch by batch and cannot run inside a transaction (this file was sent as one query, or in BEGIN … COMMIT): run \`pgphase run <plan-dir> backfill\` first (this file then skips it), or run this file with psql -f`;
  return `-- backfill ${n}: ${statement.replace(/\s*\n\s*/g, ' ')}; ${batchSize} rows per transaction by ${cols} of ${table}
-- run statement by statement (psql -f): the procedure commits each batch; it keeps no cursor,
-- run again after an interruption it starts from the first batch (pgphase run resumes instead)
SELECT set_config('pgphase.backfill_xact', txid_current()::text, false);
CREATE OR REPLACE PROCEDURE ${proc}() LANGUAGE plpgsql AS $pgphase$
DECLARE
  -- the bounds: unassigned, they read as NULL, and key columns are never NULL
${declared.join('\n')}
  pgphase_off text;
  pgphase_on text;
BEGIN
  -- applied by pgphase run: nothing left to do (without pgphase's state table the query is never planned)
  IF to_regclass('pgphase.phase_log') IS NOT NULL THEN
    IF EXISTS (SELECT FROM pgphase.phase_log WHERE plan_id = ${quoteLiteral(planId)} AND phase = 'backfill' AND status = 'applied') THEN
      RAISE NOTICE '%', ${quoteLiteral(`backfill ${n} of plan ${planId}: already applied by pgphase run`)};
      RETURN;
    END IF;
  END IF;
  IF current_setting('pgphase.backfill_xact') = txid_current()::text THEN
    RAISE EXCEPTION '%', ${quoteLiteral(refusal)};
  END IF;
${
  b.fireTriggers
    ? `  -- the statement changes no value: the application's triggers it is written for fire on every batch
`
    : `  -- the application's triggers that would fire on the batches are kept from firing, unless
  -- SET pgphase.backfill_triggers = fire: disabled inside each batch, enabled before it commits
  IF current_setting('pgphase.backfill_triggers', true) IS DISTINCT FROM 'fire' THEN
    SELECT string_agg(format('DISABLE TRIGGER %I', name), ', ' ORDER BY name), string_agg(format('ENABLE %sTRIGGER %I', CASE enabled WHEN 'A' THEN 'ALWAYS ' ELSE '' END, name), ', ' ORDER BY name)
      INTO pgphase_off, pgphase_on FROM (${firingTriggersSql(statement)}) pgphase_t;
  END IF;
`
}${
  keys
    ? `  DROP TABLE IF EXISTS ${keys};
${keysStatements(b, keys)
  .map((sql) => `  ${sql};\n`)
  .join('')}`
    : ''
}  LOOP
    IF pgphase_off IS NOT NULL THEN
      SET LOCAL lock_timeout = ${quoteLiteral(lockTimeout)};
      EXECUTE ${quoteLiteral(`ALTER TABLE ${changedTable(batched)} `)} || pgphase_off;
    END IF;
    -- the last key of this batch, so the change below is bounded on both sides
    SELECT ${cols} INTO ${bound('hi').join(', ')} FROM ${keys ?? table}
     WHERE ${first} IS NULL OR ${keyRow(undefined, b.key)} > ${lo}
     ORDER BY ${cols} OFFSET ${batchSize - 1} LIMIT 1;
    ${batch};
    IF pgphase_on IS NOT NULL THEN
      EXECUTE ${quoteLiteral(`ALTER TABLE ${changedTable(batched)} `)} || pgphase_on;
    END IF;
    COMMIT;
    EXIT WHEN ${last} IS NULL;
${b.key.map((_, i) => `    pgphase_lo_${i + 1} := pgphase_hi_${i + 1};`).join('\n')}
  END LOOP;${
    keys
      ? `
  DROP TABLE ${keys};`
      : ''
  }
END
$pgphase$;
CALL ${proc}();
DROP PROCEDURE ${proc}();
`;
}

/** The lock_timeout of a backfill's ALTER TABLE … DISABLE TRIGGER: the plan's, which its steps carry (2s, the plan's default, in a phase without steps). */
export function backfillLockTimeout(phase: ManifestPhase): string {
  return phase.steps[0]?.lockTimeout ?? '2s';
}

/** One piece of a phase's work: a step, or a backfill by its index in the phase. */
export type PhaseWork<S = ManifestStep> = { step: S } | { backfill: number };

/**
 * The order of a phase's work, the same in the runner, the phase file and the README: the steps,
 * each backfill after as many of them as the plan says (the migration's order: an UPDATE that
 * fixes rows runs before the VALIDATE of a constraint written after it).
 */
export function phaseWork<S>(phase: { steps: S[]; backfills?: Array<{ afterSteps?: number }> }): PhaseWork<S>[] {
  const steps = phase.steps.length;
  const backfills = (phase.backfills ?? []).map((b, backfill) => ({
    backfill,
    after: Math.min(b.afterSteps ?? steps, steps),
  }));
  const work: PhaseWork<S>[] = [];
  for (let k = 0; k <= steps; k++) {
    for (const b of backfills) if (b.after === k) work.push({ backfill: b.backfill });
    if (k < steps) work.push({ step: phase.steps[k]! });
  }
  return work;
}

/**
 * A phase file, written from the manifest: the runner renders it again and compares it with
 * the file and its sha256, so the steps it executes from plan.json are the ones reviewed.
 */
export function phaseFile(planId: string, phase: ManifestPhase): string {
  const parts = [
    `-- pgphase plan ${planId} · ${phase.name}${phase.requires ? `\n-- deploy first: ${phase.requires}` : ''}\n`,
  ];
  for (const work of phaseWork(phase)) {
    parts.push(
      'step' in work
        ? stepSql(work.step, work.step.sql, work.step.id)
        : backfillProcedure(phase.backfills![work.backfill]!, planId, work.backfill + 1, backfillLockTimeout(phase)),
    );
  }
  return parts.join('\n');
}

/** The .down.sql of a reversible phase, written from the manifest like the phase file. */
export function downFile(planId: string, phase: ManifestPhase): string {
  const parts = [`-- pgphase plan ${planId} · undo ${phase.name}\n`];
  for (const step of [...phase.steps].reverse()) parts.push(stepSql(step, step.down!, `undo ${step.id}`));
  if (phase.backfills?.length) parts.push('-- the copied values stay: they equal what the trigger keeps writing\n');
  return parts.join('\n');
}

/** A phase can be undone when every step has a down and every backfill is a copy. */
function reversible(phase: PlannedPhase): boolean {
  return (
    phase.name !== 'contract' &&
    phase.steps.every((s) => s.down !== undefined) &&
    phase.backfills.every((b) => b.reversible)
  );
}

function irreversibleDown(phase: PlannedPhase): string {
  const why =
    phase.name === 'contract'
      ? 'it drops what the previous application version used'
      : 'it changes data or makes changes PostgreSQL cannot take back';
  return `-- The ${phase.name} phase cannot be undone: ${why}.\n-- To go back, restore from a backup taken before it ran.\n`;
}

/** How plan.json's warnings mark a model check difference. */
const MODEL_CHECK = 'model check: ';

function readme(planned: Planned, manifest: Manifest): string {
  const lines = [
    `# Plan ${manifest.id}`,
    '',
    `From \`${manifest.source.path}\`, for PostgreSQL ${manifest.pgVersion}. Run one phase per deploy step, in order:`,
    '',
  ];
  const deployAfter: Partial<Record<PhaseName, string>> = {
    expand: 'Only the current version runs.',
    trigger: 'Only the current version runs.',
    backfill: 'Deploy the new version before this phase; both versions may run while it works.',
    contract: 'Run only when no instance of the old version is left.',
  };
  for (const phase of planned.phases) {
    const m = manifest.phases.find((p) => p.name === phase.name)!;
    lines.push(`## ${m.file} — ${phase.name}`, '', deployAfter[phase.name]!);
    if (phase.requires) lines.push('', `Deploy first: ${phase.requires}.`);
    lines.push('');
    for (const work of phaseWork(m)) {
      if ('backfill' in work) {
        const b = m.backfills![work.backfill]!;
        lines.push(
          `- backfill: \`${backfillStatement(b)}\` in batches by ${b.key.map(quoteIdent).join(', ')} of ${quoteQualified(b.table)}, one short transaction each (row locks only)`,
        );
        if (b.triggers && b.fireTriggers) {
          lines.push(
            `  - the statement changes no value: it is written for the application's triggers ${b.triggers.map(quoteIdent).join(', ')} on ${changedTable(backfillStatement(b))}, which fire on every batch`,
          );
        } else if (b.triggers) {
          lines.push(
            `  - the application's triggers ${b.triggers.map(quoteIdent).join(', ')} on ${changedTable(backfillStatement(b))} would fire on every batch: \`pgphase run\` keeps them from firing (it disables them inside each batch's transaction: that takes the table's owner, and the batch holds SHARE ROW EXCLUSIVE, so the application's writes to the table wait for it); \`--backfill-triggers fire\` lets them fire`,
          );
        }
        continue;
      }
      const { step } = work;
      const lock = step.lockMode ? `${step.lockMode} (${LOCK_EFFECT[step.lockMode]})` : 'no table lock';
      lines.push(
        `- \`${step.id}\`: ${lock}${step.concurrent ? ', outside a transaction' : `, lock_timeout ${step.lockTimeout}`}`,
      );
    }
    lines.push('', m.down ? `Undo: \`${m.down}\`.` : 'Irreversible.', '');
  }
  if (manifest.checks.length)
    lines.push(
      '## Checks',
      '',
      'Each must return no rows before its phase runs:',
      '',
      ...manifest.checks.map((c) => `- before ${c.before}: \`${c.sql}\``),
      '',
    );
  if (manifest.notes.length) lines.push('## Notes', '', ...manifest.notes.map((n) => `- ${n}`), '');
  const unsafe = manifest.warnings.filter((w) => !w.startsWith(MODEL_CHECK));
  const differs = manifest.warnings.filter((w) => w.startsWith(MODEL_CHECK)).map((w) => w.slice(MODEL_CHECK.length));
  if (unsafe.length)
    lines.push(
      '## ⚠ Unsafe',
      '',
      'Placed as written because of `--allow-unsafe`:',
      '',
      ...unsafe.map((w) => `- ${w}`),
      '',
    );
  if (differs.length) {
    lines.push(
      '## ⚠ Model check failed',
      '',
      'Replayed on the schema model, this plan does not do what the migration does (written anyway because of `--allow-unsafe`):',
      '',
      ...differs.map((d) => `- ${d}`),
      '',
    );
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export function renderPlan(planned: Planned, options: RenderOptions): RenderedPlan {
  const files = new Map<string, string>();
  const phases: Manifest['phases'] = planned.phases.map((phase, i) => {
    const m: ManifestPhase = {
      name: phase.name,
      file: `${i + 1}-${phase.name}.sql`,
      sha256: '',
      steps: phase.steps.map((s) => ({
        id: s.id,
        sql: s.sql,
        ...(s.down !== undefined && { down: s.down }),
        ...(s.lockMode !== undefined && { lockMode: s.lockMode }),
        lockTimeout: options.lockTimeout,
        concurrent: !s.transactional,
      })),
    };
    if (phase.requires) m.requires = phase.requires;
    const present = options.present?.[phase.name];
    if (present?.length) m.present = present;
    if (phase.backfills.length)
      m.backfills = phase.backfills.map(({ reversible: _, ...b }) => ({ ...b, batchSize: options.batchSize }));
    const text = phaseFile(options.id, m);
    m.sha256 = sha256(text);
    files.set(m.file, text);
    const down = `${i + 1}-${phase.name}.down.sql`;
    if (reversible(phase)) m.down = down;
    files.set(down, m.down ? downFile(options.id, m) : irreversibleDown(phase));
    return m;
  });
  const manifest = validateManifest(
    {
      version: MANIFEST_VERSION,
      id: options.id,
      source: { path: options.source.path, sha256: sha256(options.source.text) },
      pgVersion: options.pgVersion,
      phases,
      checks: planned.checks.map((sql) => ({ before: 'contract', sql })),
      notes: planned.notes,
      warnings: [
        ...planned.refusals.map((r) => `line ${r.location.line}: ${r.reason} (placed in ${r.phase})`),
        ...(options.modelCheck ?? []).map((d) => `${MODEL_CHECK}${d}`),
      ],
    },
    'plan.json',
  );
  files.set('plan.json', `${JSON.stringify(manifest, null, 2)}\n`);
  files.set('README.md', readme(planned, manifest));
  return { manifest, files };
}
