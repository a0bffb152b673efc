// Applies one phase of a plan (or undoes it), safely: one runner per database, phases in
// order, checksums checked, every step with lock_timeout and retried with backoff instead
// of queueing behind a long transaction, concurrent steps outside transactions with
// invalid leftovers dropped first, backfills (backfill.ts) in keyset batches that commit their cursor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { CheckFailed, LockTimeoutExhausted, PgphaseError, PhaseError, PhaseOrderError, PlanError } from '../errors.js';
import { readManifest, type Manifest, type ManifestPhase } from '../plan/manifest.js';
import { backfillLockTimeout, downFile, phaseFile, phaseWork, sha256 } from '../plan/render.js';
import { backfillStatement, changedTable, keysTable } from '../plan/batch.js';
import { concurrentIndex } from '../plan/sql.js';
import { PHASES, type PhaseName } from '../plan/types.js';
import { parseDuration } from '../duration.js';
import { quoteIdent } from '../sql/names.js';
import { loadParser } from '../sql/source.js';
import { cannotSkipTriggers, firingTriggers, runBackfill, type AppTrigger, type TriggerMode } from './backfill.js';
import { connect } from './connect.js';
import { acquireRunnerLock, releaseRunnerLock } from './lock.js';
import {
  ensureState,
  finishPhase,
  finishRollback,
  readState,
  recordBackfill,
  recordStep,
  runBy,
  startPhase,
  type PhaseKey,
  type PhaseRecord,
} from './state.js';

export type RunEvent =
  | { type: 'step'; phase: PhaseName; step: string; ms: number; attempts: number }
  | { type: 'retry'; phase: PhaseName; step: string; attempt: number; delayMs: number; blockers: string[] }
  | { type: 'invalid-index'; index: string }
  | {
      type: 'batch';
      phase: PhaseName;
      backfill: number;
      rows: number;
      done: number;
      total: number | null;
      batchSize: number;
      ms: number;
      rowsPerSecond: number;
    }
  | { type: 'triggers'; phase: PhaseName; backfill: number; table: string; triggers: string[]; mode: TriggerMode }
  | { type: 'would-run'; phase: PhaseName; step: string; sql: string }
  | { type: 'phase'; phase: PhaseName; outcome: 'applied' | 'already-applied' | 'rolled-back' | 'dry-run'; ms: number };

export interface RunOptions {
  planDir: string;
  databaseUrl?: string;
  /** How long to wait for another runner's lock. */
  waitMs?: number;
  /** Overrides the plan's lock_timeout. */
  lockTimeout?: string;
  retries?: number;
  batchSize?: number;
  targetBatchMs?: number;
  pauseMs?: number;
  /** The application's triggers on a backfill's batches: kept from firing (default) or fired. */
  backfillTriggers?: TriggerMode;
  dryRun?: boolean;
  onEvent?: (event: RunEvent) => void;
}

interface Session {
  db: pg.Client;
  /** A second connection, to see who blocks `db` while it waits. */
  probe: pg.Client;
  manifest: Manifest;
  options: RunOptions;
  by: PhaseRecord['runBy'];
}

const LOCK_TIMEOUT = '55P03';

function phaseOf(manifest: Manifest, name: PhaseName): ManifestPhase {
  const phase = manifest.phases.find((p) => p.name === name);
  if (!phase)
    throw new PhaseError(
      `plan ${manifest.id} has no ${name} phase (it has ${manifest.phases.map((p) => p.name).join(', ')})`,
    );
  return phase;
}

/** Opens the runner's two connections, takes the runner lock, and always lets go. */
async function withSession<T>(options: RunOptions, work: (s: Session) => Promise<T>): Promise<T> {
  const manifest = readManifest(options.planDir);
  // the session that does the work holds the lock: when a runner dies while that session is
  // still busy (a batch whose COMMIT waits for a synchronous standby, a long statement), the
  // next runner waits until it has ended instead of working beside it
  const db = await connect(options.databaseUrl);
  try {
    await db.query(`SELECT set_config('application_name', $1, false)`, [`pgphase ${manifest.id}`]);
    await acquireRunnerLock(db, options.waitMs ?? 0);
    await requirePublicSchema(db, manifest);
    const probe = await connect(options.databaseUrl);
    try {
      // a dry run writes nothing: without the state table, no phase has run
      if (!options.dryRun) await ensureState(db);
      return await work({ db, probe, manifest, options, by: await runBy(db) });
    } finally {
      await probe.end().catch(() => undefined);
      await releaseRunnerLock(db).catch(() => undefined);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}

/**
 * A plan takes unqualified names to be in schema public: the SQL it generates names public,
 * while the steps it keeps as written resolve names through search_path. Where those differ,
 * the two would act on different tables, so the runner refuses.
 */
async function requirePublicSchema(db: pg.Client, manifest: Manifest): Promise<void> {
  const { rows } = await db.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema ?? null;
  if (schema === 'public') return;
  throw new PhaseError(
    `plan ${manifest.id} takes unqualified names to be in schema public, but search_path puts them in ${schema === null ? 'no schema' : quoteIdent(schema)}: connect with search_path=public (add ?options=-csearch_path%3Dpublic to the URL) or qualify the names in the migration`,
  );
}

/** The sessions blocking `pid` right now, for the retry log. */
async function blockers(probe: pg.Client, pid: number): Promise<string[]> {
  const { rows } = await probe.query<{ pid: number; query: string; age: string }>(
    `SELECT a.pid, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) AS query, coalesce(to_char(now() - a.xact_start, 'HH24:MI:SS'), '?') AS age
       FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1))`,
    [pid],
  );
  return rows.map((r) => `pid ${r.pid} (in a transaction for ${r.age}): ${r.query}`);
}

/** Runs `attempt`, retrying on lock timeout with exponential backoff and jitter. */
async function withRetries(
  s: Session,
  phase: PhaseName,
  stepId: string,
  timeoutMs: number,
  attempt: () => Promise<void>,
): Promise<number> {
  const retries = s.options.retries ?? 10;
  const pid = (s.db as unknown as { processID: number }).processID;
  for (let n = 1; ; n++) {
    let seen: string[] = [];
    // while the step waits, look at who it waits for (from the other connection)
    const look = setTimeout(
      () =>
        void blockers(s.probe, pid).then(
          (b) => (seen = b),
          () => undefined,
        ),
      Math.max(10, timeoutMs * 0.7),
    );
    try {
      await attempt();
      return n;
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_TIMEOUT) throw error;
      if (n > retries) {
        throw new LockTimeoutExhausted(
          `plan ${s.manifest.id} ${phase}: step ${stepId} could not take its lock within the lock timeout (${timeoutMs} ms) in ${n} attempts${seen.length ? `, blocked by ${seen.join('; ')}` : ''}; run it again when the blocking transactions have ended (it resumes after the last completed step), or raise --retries or --lock-timeout`,
          stepId,
          n,
        );
      }
      // at least one lock_timeout between attempts: the application's queries that queued
      // behind the attempt drain before the next one queues them again
      const delayMs = Math.max(timeoutMs, Math.round(Math.min(10_000, 200 * 2 ** (n - 1)) * (0.5 + Math.random() / 2)));
      s.options.onEvent?.({ type: 'retry', phase, step: stepId, attempt: n, delayMs, blockers: seen });
      await new Promise((r) => setTimeout(r, delayMs));
    } finally {
      clearTimeout(look);
    }
  }
}

/** An index left invalid by a failed concurrent build is dropped before retrying; one still being built is left alone. */
async function dropInvalidIndex(s: Session, index: string): Promise<void> {
  // pg_stat_progress_create_index is PostgreSQL 12+; before, a build in progress looks like a
  // leftover, and dropping it waits for the build under lock_timeout, retried like any step
  const progress =
    Number((await s.db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) >= 120000;
  const { rows } = await s.db.query<{ invalid: boolean; building: boolean }>(
    `SELECT NOT i.indisvalid AS invalid, ${progress ? 'EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)' : 'false'} AS building
       FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    [index],
  );
  const found = rows[0];
  if (!found?.invalid) return;
  if (found.building)
    throw new PhaseError(`index ${index} is being built by another session; run again when it is done`);
  s.options.onEvent?.({ type: 'invalid-index', index });
  await s.db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
}

async function runStep(
  s: Session,
  phase: ManifestPhase,
  step: ManifestPhase['steps'][number],
  sql: string,
  done: (db: pg.Client) => Promise<void>,
): Promise<void> {
  const timeout = s.options.lockTimeout ?? step.lockTimeout;
  const timeoutMs = parseDuration(timeout);
  // lock_timeout 0 would wait for locks forever
  if (!timeoutMs)
    throw new PhaseError(`step ${step.id}: lock timeout ${timeout} is not a duration of at least 1ms like 2s or 500ms`);
  const started = Date.now();
  const attempts = await withRetries(s, phase.name, step.id, timeoutMs, async () => {
    if (step.concurrent) {
      const index = concurrentIndex(sql);
      // dropping a leftover waits for every session using the table: it too times out and retries
      await s.db.query(`SET lock_timeout = '${timeoutMs}ms'`);
      try {
        if (index) await dropInvalidIndex(s, index);
        await s.db.query(sql);
      } finally {
        await s.db.query('RESET lock_timeout');
      }
      await done(s.db);
      return;
    }
    await s.db.query('BEGIN');
    try {
      await s.db.query(`SET LOCAL lock_timeout = '${timeoutMs}ms'`);
      await s.db.query(`SET LOCAL statement_timeout = '15min'`);
      await s.db.query(sql);
      await done(s.db);
      await s.db.query('COMMIT');
    } catch (error) {
      await s.db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  s.options.onEvent?.({ type: 'step', phase: phase.name, step: step.id, ms: Date.now() - started, attempts });
}

/**
 * The phase file must be the one planned (its sha256 in plan.json) and must be what plan.json's
 * steps render to: then the steps the runner executes are the ones in the reviewed file.
 */
function checkFile(s: Session, file: string, expected: string, sha?: string): void {
  const path = join(s.options.planDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanError(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'}); the plan directory is incomplete`,
    );
  }
  if ((sha !== undefined && sha256(text) !== sha) || text !== expected) {
    throw new PhaseError(
      `${path} differs from the one planned (plan.json): re-run \`pgphase plan\` instead of editing plan files`,
    );
  }
}

/**
 * The application's triggers each backfill of the phase keeps from firing (none with
 * --backfill-triggers fire), said before anything runs; refused before anything runs when this
 * session may not disable them.
 */
async function triggersToSkip(s: Session, phase: ManifestPhase): Promise<AppTrigger[][]> {
  const mode = s.options.backfillTriggers ?? 'skip';
  const out: AppTrigger[][] = [];
  for (const [i, b] of (phase.backfills ?? []).entries()) {
    const triggers = await firingTriggers(s.db, b);
    const table = changedTable(backfillStatement(b));
    // an UPDATE written for the triggers it fires (SET c = c) would do nothing without them
    const skip = mode === 'skip' && !b.fireTriggers;
    if (triggers.length)
      s.options.onEvent?.({
        type: 'triggers',
        phase: phase.name,
        backfill: i,
        table,
        triggers: triggers.map((t) => t.name),
        mode: skip ? 'skip' : 'fire',
      });
    const why = skip && triggers.length ? await cannotSkipTriggers(s.db, b) : undefined;
    if (why) {
      throw new PhaseError(
        `plan ${s.manifest.id} ${phase.name}: the application's triggers ${triggers.map((t) => quoteIdent(t.name)).join(', ')} on ${table} fire on backfill ${i + 1}'s batches, and by default a backfill keeps them from firing; ${why}: run as the owner, or pass --backfill-triggers fire to let them fire`,
      );
    }
    out.push(skip ? triggers : []);
  }
  return out;
}

/** Applies one phase. Re-running an applied phase is a no-op; a failed one resumes after its last completed step. */
export async function runPhase(
  options: RunOptions & { phase: PhaseName },
): Promise<'applied' | 'already-applied' | 'dry-run'> {
  await loadParser();
  return withSession(options, (s) => applyPhase(s, options.phase));
}

/** Applies every phase not yet applied, in order (development only). */
export async function runAll(options: RunOptions): Promise<void> {
  await loadParser();
  await withSession(options, async (s) => {
    // a dry run of every phase takes each one as applied for the phases after it
    const dryRun = new Set<PhaseName>();
    for (const phase of s.manifest.phases)
      if ((await applyPhase(s, phase.name, dryRun)) === 'dry-run') dryRun.add(phase.name);
  });
}

async function applyPhase(
  s: Session,
  name: PhaseName,
  dryRun: ReadonlySet<PhaseName> = new Set(),
): Promise<'applied' | 'already-applied' | 'dry-run'> {
  const started = Date.now();
  const { manifest } = s;
  const phase = phaseOf(manifest, name);
  checkFile(s, phase.file, phaseFile(manifest.id, phase), phase.sha256);
  const records = await readState(s.db, manifest.id);
  const mine = records.find((r) => r.phase === name);
  // a rolled-back phase left nothing behind: a corrected plan of the same id may run it anew
  if (mine && mine.status !== 'rolled_back' && mine.checksum !== phase.sha256) {
    throw new PhaseError(
      `plan ${manifest.id} ${name} was recorded from a different file (checksum ${mine.checksum.slice(0, 12)}…, plan has ${phase.sha256.slice(0, 12)}…)`,
    );
  }
  if (mine?.status === 'applied') {
    s.options.onEvent?.({ type: 'phase', phase: name, outcome: 'already-applied', ms: 0 });
    return 'already-applied';
  }
  for (const earlier of manifest.phases.slice(0, manifest.phases.indexOf(phase))) {
    if (records.find((r) => r.phase === earlier.name)?.status !== 'applied' && !dryRun.has(earlier.name)) {
      throw new PhaseOrderError(
        `plan ${manifest.id}: ${earlier.name} is not applied yet; run it before ${name}`,
        manifest.id,
        name,
        earlier.name,
      );
    }
  }
  // the checks guard the start of a phase: one that has committed steps passed them when it
  // started, and they may no longer run (a contract that dropped the old column cannot compare it)
  const begun = (mine?.stepsDone.length ?? 0) > 0;
  // after phases that only a dry run went through, a check would test a state that is not there: say it instead
  const assumed = dryRun.size > 0;
  for (const check of begun ? [] : manifest.checks.filter((c) => c.before === name)) {
    if (assumed) {
      s.options.onEvent?.({ type: 'would-run', phase: name, step: 'check', sql: check.sql });
      continue;
    }
    const { rowCount } = await s.db.query(check.sql).catch((error: Error) => {
      throw new CheckFailed(
        `plan ${manifest.id}: ${name} refused, a check failed (${error.message}): ${check.sql}`,
        manifest.id,
        name,
        check.sql,
        'error',
      );
    });
    if (rowCount)
      throw new CheckFailed(
        `plan ${manifest.id}: ${name} refused, a check still returns rows (is the backfill complete?): ${check.sql}`,
        manifest.id,
        name,
        check.sql,
        'rows',
      );
  }
  if (s.options.dryRun) {
    const done = new Set(mine?.stepsDone ?? []);
    for (const work of phaseWork(phase)) {
      if ('step' in work) {
        if (!done.has(work.step.id))
          s.options.onEvent?.({ type: 'would-run', phase: name, step: work.step.id, sql: work.step.sql });
        continue;
      }
      const b = phase.backfills![work.backfill]!;
      s.options.onEvent?.({
        type: 'would-run',
        phase: name,
        step: 'backfill',
        sql: `${backfillStatement(b)}, in batches of ${s.options.batchSize ?? b.batchSize} by ${b.key.join(', ')}`,
      });
    }
    s.options.onEvent?.({ type: 'phase', phase: name, outcome: 'dry-run', ms: 0 });
    return 'dry-run';
  }
  const skipTriggers = await triggersToSkip(s, phase);
  const lockTimeoutMs = parseDuration(s.options.lockTimeout ?? backfillLockTimeout(phase))!;
  // a rolled-back phase starts over; a failed one resumes from its recorded progress
  const resume = mine?.status === 'rolled_back' ? undefined : mine;
  const backfills = (phase.backfills ?? []).map(
    (_, i) => resume?.backfill[i] ?? { cursor: null, rows: 0, total: null, done: false },
  );
  const row: PhaseKey = [manifest.id, name];
  await startPhase(s.db, row, phase.sha256, s.by, backfills);
  const done = new Set(resume?.stepsDone ?? []);
  try {
    for (const work of phaseWork(phase)) {
      if ('backfill' in work) {
        const progress = backfills[work.backfill]!;
        if (progress.done) continue;
        await runBackfill({
          db: s.db,
          backfill: phase.backfills![work.backfill]!,
          progress,
          skipTriggers: skipTriggers[work.backfill]!,
          ...(phase.backfills![work.backfill]!.snapshot && {
            keys: keysTable(phase.backfills![work.backfill]!, manifest.id, work.backfill + 1),
          }),
          lockTimeoutMs,
          retrying: (batch) =>
            withRetries(s, name, `backfill ${work.backfill + 1}`, lockTimeoutMs, batch).then(() => undefined),
          ...(s.options.batchSize !== undefined && { batchSize: s.options.batchSize }),
          ...(s.options.targetBatchMs !== undefined && { targetBatchMs: s.options.targetBatchMs }),
          ...(s.options.pauseMs !== undefined && { pauseMs: s.options.pauseMs }),
          save: (state) => recordBackfill(s.db, row, work.backfill, state),
          onBatch: (e) => s.options.onEvent?.({ type: 'batch', phase: name, backfill: work.backfill, ...e }),
        });
        continue;
      }
      const { step } = work;
      if (done.has(step.id)) continue;
      await runStep(s, phase, step, step.sql, (db) => recordStep(db, row, step.id, true));
    }
    await finishPhase(s.db, row, { applied: true });
  } catch (error) {
    const message = (error as Error).message;
    await finishPhase(s.db, row, { failed: message }).catch(() => undefined);
    if (error instanceof PgphaseError) throw error;
    throw new PhaseError(
      `plan ${manifest.id} ${name} failed: ${message}; fix the cause and run it again: it resumes after the last completed step`,
    );
  }
  s.options.onEvent?.({ type: 'phase', phase: name, outcome: 'applied', ms: Date.now() - started });
  return 'applied';
}

/** Undoes an applied (or failed) phase with its down steps; refused for contract and when a later phase is applied. */
export async function rollbackPhase(options: RunOptions & { phase: PhaseName }): Promise<void> {
  await loadParser();
  await withSession(options, async (s) => {
    const phase = phaseOf(s.manifest, options.phase);
    if (!phase.down)
      throw new PhaseError(
        `plan ${s.manifest.id} ${phase.name} cannot be undone (${phase.name === 'contract' ? 'contract drops what the old version used' : 'it changes data'}); restore from a backup instead`,
      );
    const records = await readState(s.db, s.manifest.id);
    for (const later of PHASES.slice(PHASES.indexOf(phase.name) + 1)) {
      const r = records.find((x) => x.phase === later);
      if (r && r.status !== 'rolled_back')
        throw new PhaseError(`plan ${s.manifest.id}: ${later} is ${r.status}; roll it back before ${phase.name}`);
    }
    checkFile(s, phase.down, downFile(s.manifest.id, phase));
    const mine = records.find((r) => r.phase === phase.name);
    if (!mine || mine.status === 'rolled_back')
      throw new PhaseError(`plan ${s.manifest.id} ${phase.name} has not run on this database: nothing to roll back`);
    if (mine.checksum !== phase.sha256)
      throw new PhaseError(
        `plan ${s.manifest.id} ${phase.name} was applied from a different file than this plan's; roll back with the plan that applied it`,
      );
    const started = Date.now();
    const ran = new Set(mine.stepsDone);
    const key: PhaseKey = [s.manifest.id, phase.name];
    // only what ran is undone, each undo recorded with it: a rollback that fails can be run again
    for (const step of [...phase.steps].reverse()) {
      if (!ran.has(step.id) || step.down === undefined) continue;
      await runStep(s, phase, { ...step, id: `undo ${step.id}` }, step.down, (db) =>
        recordStep(db, key, step.id, false),
      );
    }
    await finishRollback(s.db, key);
    s.options.onEvent?.({ type: 'phase', phase: phase.name, outcome: 'rolled-back', ms: Date.now() - started });
  });
}
