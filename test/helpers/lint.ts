// Lints SQL strings in tests: the real parser, engine and registry, no files needed.
import { rules } from '../../rules/index.js';
import { lintSource, replay, type FileResult } from '../../src/lint/engine.js';
import type { SeveritySetting, TransactionModel } from '../../src/lint/rule.js';
import { SchemaModel } from '../../src/schema/model.js';
import { loadParser, parseSource } from '../../src/sql/source.js';

await loadParser();

export interface LintSqlOptions {
  /** Earlier migrations, replayed into the schema model first. */
  history?: string;
  transaction?: TransactionModel;
  pgVersion?: number;
  severities?: Record<string, SeveritySetting>;
}

export function lintSql(sql: string, options: LintSqlOptions = {}): FileResult {
  const schema = new SchemaModel();
  if (options.history) replay(parseSource('history.sql', options.history), schema);
  return lintSource(parseSource('migration.sql', sql), {
    rules,
    severities: new Map(Object.entries(options.severities ?? {})),
    pgVersion: options.pgVersion ?? 15,
    transaction: options.transaction ?? 'none',
    schema,
  });
}

/** `rule@line:column` of every finding, for exact comparisons. */
export function where(result: FileResult, rule?: string): string[] {
  return result.findings.filter((f) => rule === undefined || f.rule === rule).map((f) => `${f.rule}@${f.location.line}:${f.location.column}`);
}
