// pgphase's public API. The CLI is a thin layer over these functions.
import { rules as registry } from '../rules/index.js';
import { lint as lintWith, type LintOptions, type LintOutput } from './lint/lint.js';

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

/** Lints migration files and directories with pgphase's rules (or `options.rules`). */
export function lint(options: Omit<LintOptions, 'rules'> & { rules?: LintOptions['rules'] }): Promise<LintOutput> {
  return lintWith({ ...options, rules: options.rules ?? registry });
}
