// pgphase's public API. The CLI is a thin layer over these functions.
import { rules as registry } from '../rules/index.js';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { lint as lintWith, type LintOptions, type LintOutput } from './lint/lint.js';
import { readSchemaDump } from './schema/dump.js';
import type { PlanApiOptions, PlanResult } from './plan/index.js';
import type { Change } from './sql/changes.js';
import type { RunOptions } from './runner/run.js';
import type { VerifyOptions, VerifyResult } from './runner/verify.js';
import type { StatusOptions } from './runner/status.js';
import type { PhaseRecord } from './runner/state.js';
import type { PhaseName } from './plan/types.js';

export type { LintOptions, LintOutput } from './lint/lint.js';
export type { LintResult, LintSummary } from './lint/result.js';
export type { FileResult, StatementResult } from './lint/engine.js';
export type { Finding, Rule, RuleMeta, Category, Severity, SeveritySetting, TransactionModel } from './lint/rule.js';
export type { Change, ChangeClass } from './sql/changes.js';
export type { Config } from './config/schema.js';
export { defineRule } from './lint/rule.js';
export { formatResult, FORMATS, type FormatName } from './report/index.js';
export { stagedFiles, changedSince } from './lint/git.js';
export { isForwardMigration } from './discover/index.js';
export { PgphaseError, UsageError, ConfigError, InputError } from './errors.js';
export { version, docsBaseUrl, ruleDocPath } from './meta.js';
export { parseDuration } from './duration.js';
export { PHASES, type PhaseName } from './plan/types.js';
export type { PlanResult } from './plan/index.js';
export type { Manifest } from './plan/manifest.js';
export { readManifest } from './plan/manifest.js';
export type { RunOptions, RunEvent } from './runner/run.js';
export type { VerifyOptions, VerifyResult, VerifyProblem, VerifyProblemKind, VerifyPlan } from './runner/verify.js';
export type { StatusOptions } from './runner/status.js';
export type { PhaseRecord, PhaseStatus } from './runner/state.js';

/** Every rule pgphase knows. */
export const rules = registry;

export interface LintApiOptions extends Omit<LintOptions, 'rules' | 'baseSchema'> {
  rules?: LintOptions['rules'];
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
}

/** The starting schema from a `pg_dump --schema-only` file or a live database, as changes to replay. */
async function startingSchema(options: { schemaFile?: string; databaseUrl?: string; cwd?: string }): Promise<Change[]> {
  const { schemaFile, databaseUrl } = options;
  if (schemaFile !== undefined && databaseUrl !== undefined) throw new UsageError('give the starting schema with --schema or --database-url, not both');
  if (schemaFile !== undefined) return readSchemaDump(resolve(options.cwd ?? process.cwd(), schemaFile));
  if (databaseUrl === undefined) return [];
  // loaded only when asked for: it brings `pg`, which a lint of files does not need
  const { readLiveSchema } = await import('./runner/introspect.js');
  return readLiveSchema(databaseUrl);
}

/** Lints migration files and directories with pgphase's rules (or `options.rules`). */
export async function lint(options: LintApiOptions): Promise<LintOutput> {
  const { schemaFile, databaseUrl, ...rest } = options;
  return lintWith({ ...rest, baseSchema: await startingSchema(options), rules: options.rules ?? registry });
}

export interface PlanOptions extends Omit<PlanApiOptions, 'baseSchema'> {
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
}

/** Turns one migration into a plan directory (expand / trigger / backfill / contract). */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  const { schemaFile, databaseUrl, ...rest } = options;
  // the planner and its recipes load only for a plan, not for every lint
  const { plan: planWith } = await import('./plan/index.js');
  return planWith({ ...rest, baseSchema: await startingSchema(options) });
}

// The runner needs `pg`; lint does not, so it is loaded only when a command runs a phase.

/** Applies one phase of a plan (see src/runner/run.ts). */
export async function runPhase(options: RunOptions & { phase: PhaseName }): Promise<'applied' | 'already-applied' | 'dry-run'> {
  return (await import('./runner/run.js')).runPhase(options);
}

/** Applies every phase of a plan not yet applied, in order (development only). */
export async function runAll(options: RunOptions): Promise<void> {
  return (await import('./runner/run.js')).runAll(options);
}

/** Undoes a phase with its down steps. */
export async function rollbackPhase(options: RunOptions & { phase: PhaseName }): Promise<void> {
  return (await import('./runner/run.js')).rollbackPhase(options);
}

/** The demo of `pgphase demo`; resolves to the number of failed workload queries. */
export async function demo(options: import('./runner/demo.js').DemoOptions): Promise<number> {
  return (await import('./runner/demo.js')).demo(options);
}

/** Read-only start-up check: is the database compatible with the plans this release ships? */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  return (await import('./runner/verify.js')).verify(options);
}

/** Every plan phase recorded in the database. */
export async function status(options: StatusOptions = {}): Promise<PhaseRecord[]> {
  return (await import('./runner/status.js')).status(options);
}
