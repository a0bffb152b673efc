// pgphase's public API. The CLI is a thin layer over these functions.
import { rules as registry } from '../rules/index.js';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { lint as lintWith, type LintOptions, type LintOutput } from './lint/lint.js';
import { readLiveSchema } from './runner/introspect.js';
import { readSchemaDump } from './schema/dump.js';

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
export { version } from './meta.js';

/** Every rule pgphase knows. */
export const rules = registry;

export interface LintApiOptions extends Omit<LintOptions, 'rules' | 'baseSchema'> {
  rules?: LintOptions['rules'];
  /** A `pg_dump --schema-only` file as the starting schema. */
  schemaFile?: string;
  /** Read the starting schema from a live database (read-only). */
  databaseUrl?: string;
}

/** Lints migration files and directories with pgphase's rules (or `options.rules`). */
export async function lint(options: LintApiOptions): Promise<LintOutput> {
  const { schemaFile, databaseUrl, ...rest } = options;
  if (schemaFile !== undefined && databaseUrl !== undefined) throw new UsageError('give the starting schema with --schema or --database-url, not both');
  const baseSchema =
    schemaFile !== undefined ? await readSchemaDump(resolve(options.cwd ?? process.cwd(), schemaFile)) : databaseUrl !== undefined ? await readLiveSchema(databaseUrl) : [];
  return lintWith({ ...rest, baseSchema, rules: options.rules ?? registry });
}
