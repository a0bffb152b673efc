// Lints SQL strings in tests: the real parser, engine and registry, no files needed.
import { rules } from '../../rules/index.js';
import { lintSource, type FileResult } from '../../src/lint/engine.js';
import { replay } from '../../src/schema/model.js';
import type { SeveritySetting, TransactionModel } from '../../src/lint/rule.js';
import { SchemaModel } from '../../src/schema/model.js';
import { loadParser, parseSource } from '../../src/sql/source.js';

await loadParser();

export interface LintSqlOptions {
  /** Earlier migrations, replayed into the schema model first. */
  history?: string;
  /** The history is the whole of it (an object it lacks does not exist); by default, when one is given. */
  historyKnown?: boolean;
  transaction?: TransactionModel;
  pgVersion?: number;
  severities?: Record<string, SeveritySetting>;
  /** The config's `maxLockTimeout`, in milliseconds. */
  maxLockTimeout?: number;
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
    historyKnown: options.historyKnown ?? options.history !== undefined,
    ...(options.maxLockTimeout !== undefined && { maxLockTimeout: options.maxLockTimeout }),
  });
}

/** `rule@line:column` of every finding, for exact comparisons. */
export function where(result: FileResult, rule?: string): string[] {
  return result.findings.filter((f) => rule === undefined || f.rule === rule).map((f) => `${f.rule}@${f.location.line}:${f.location.column}`);
}

export interface ValidCase extends LintSqlOptions {
  sql: string;
}

export interface InvalidCase extends ValidCase {
  /** `line:column` of every finding of the rule, in order. */
  at: string[];
  /** A fragment every message of the rule must contain. */
  message?: string;
  /** The severity of every finding of the rule. */
  severity?: 'error' | 'warning';
}

/** Table-driven cases for one rule, in the style of ESLint's RuleTester. */
export async function ruleCases(id: string, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): Promise<void> {
  const { describe, expect, it } = await import('vitest');
  describe(id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.sql.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
        expect(where(lintSql(c.sql, c), id)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.sql.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
        const result = lintSql(c.sql, c);
        expect(where(result, id)).toEqual(c.at.map((at) => `${id}@${at}`));
        if (c.message) for (const f of result.findings.filter((f) => f.rule === id)) expect(f.message).toContain(c.message);
        if (c.severity) for (const f of result.findings.filter((f) => f.rule === id)) expect(f.severity).toBe(c.severity);
      });
    }
  });
}
