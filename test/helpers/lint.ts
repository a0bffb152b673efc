// Lints SQL strings in tests: the real parser, engine and registry, no files needed.
import { rules } from '../../rules/index.js';
import { lintSource, type FileResult } from '../../src/lint/engine.js';
import type { Finding, Report, Rule } from '../../src/lint/rule.js';
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
  /** Findings carry their statement's locks (the engine's default: true). */
  locks?: boolean;
}

/** Lints one file. The engine makes the rules' visitors once per registry, severity map and
 *  PostgreSQL version: a new map each call (the default) gives each file visitors of its own. */
export function lintSql(
  sql: string,
  options: LintSqlOptions = {},
  registry: readonly Rule[] = rules,
  severities: ReadonlyMap<string, SeveritySetting> = new Map(Object.entries(options.severities ?? {})),
): FileResult {
  const schema = new SchemaModel();
  if (options.history) replay(parseSource('history.sql', options.history), schema);
  return lintSource(parseSource('migration.sql', sql), {
    rules: registry,
    severities,
    pgVersion: options.pgVersion ?? 15,
    transaction: options.transaction ?? 'none',
    schema,
    historyKnown: options.historyKnown ?? options.history !== undefined,
    ...(options.maxLockTimeout !== undefined && { maxLockTimeout: options.maxLockTimeout }),
    ...(options.locks !== undefined && { locks: options.locks }),
  });
}

/** `rule@line:column` of every finding, for exact comparisons. */
export function where(result: FileResult, rule?: string): string[] {
  return result.findings
    .filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.rule}@${f.location.line}:${f.location.column}`);
}

export interface ValidCase extends LintSqlOptions {
  sql: string;
}

export interface InvalidCase extends ValidCase {
  /** Where every finding of the rule is, in order: `line:column`, or `line:column-line:column` to check where it ends too. */
  at: string[];
  /** A fragment every message of the rule must contain. */
  message?: string;
  /** The severity of every finding of the rule. */
  severity?: 'error' | 'warning';
  /** The message id of every report of the rule. */
  messageId?: string;
  /** The data of every report of the rule (the values it gives, exactly). */
  data?: Record<string, string | number>;
}

/** What a rule reported: its message id and data, as it passed them to `context.report`. */
export interface Reported {
  messageId: string;
  data: Record<string, string | number>;
}

/** Lints with `id`'s rule watched: the result, and every report the rule made. */
export function lintWatched(
  id: string,
  sql: string,
  options: LintSqlOptions = {},
): { result: FileResult; reported: Reported[] } {
  const reported: Reported[] = [];
  const watched = rules.map((rule): Rule => {
    if (rule.meta.id !== id) return rule;
    return {
      ...rule,
      create: (context) =>
        rule.create(
          new Proxy(context, {
            get(target, key) {
              if (key !== 'report') return Reflect.get(target, key, target);
              return (report: Report) => {
                reported.push({ messageId: report.messageId, data: { ...report.data } });
                target.report(report);
              };
            },
          }),
        ),
    };
  });
  return { result: lintSql(sql, options, watched), reported };
}

/** What is wrong with a rule's reports: an unknown message id, a placeholder of the message or its help
 *  without data, an empty help, or text left unfilled. */
export function reportProblems(rule: Rule, reported: Reported[], findings: Finding[]): string[] {
  const problems: string[] = [];
  for (const { messageId, data } of reported) {
    const spec = rule.meta.messages[messageId];
    if (spec === undefined) {
      problems.push(`message id "${messageId}" is not one of ${Object.keys(rule.meta.messages).join(', ')}`);
      continue;
    }
    const names = new Set([...`${spec.message} ${spec.help}`.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!));
    for (const name of names)
      if (!(name in data))
        problems.push(`message "${messageId}" names {{${name}}}, which the report gives no data for`);
  }
  for (const f of findings) {
    if (f.help.trim() === '') problems.push(`no help for: ${f.message}`);
    if (/\{\{\s*\w+\s*\}\}/.test(f.message + f.help))
      problems.push(`unfilled placeholder in: ${f.message} / ${f.help}`);
  }
  return problems;
}

const span = (f: Finding, withEnd: boolean) =>
  `${f.location.line}:${f.location.column}${withEnd ? `-${f.location.endLine}:${f.location.endColumn}` : ''}`;

/** Table-driven cases for one rule, in the style of ESLint's RuleTester: each case once, each report
 *  checked against the rule's messages, each invalid case's findings at the places it gives, and
 *  each message of a rule that has several reported by some invalid case. */
export async function ruleCases(id: string, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): Promise<void> {
  const { describe, expect, it } = await import('vitest');
  const rule = rules.find((r) => r.meta.id === id);
  if (!rule) throw new Error(`no rule ${id} in the registry`);
  const seen = new Set<string>();
  for (const c of [...cases.valid, ...cases.invalid]) {
    const key = JSON.stringify({
      ...c,
      at: undefined,
      message: undefined,
      severity: undefined,
      messageId: undefined,
      data: undefined,
    });
    if (seen.has(key)) throw new Error(`${id}: a case is given twice: ${c.sql}`);
    seen.add(key);
  }
  describe(id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.sql.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
        expect(where(lintSql(c.sql, c), id)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.sql.replace(/\s+/g, ' ').slice(0, 80)}`, () => {
        const { result, reported } = lintWatched(id, c.sql, c);
        const found = result.findings.filter((f) => f.rule === id);
        expect(found.map((f, i) => span(f, c.at[i]?.includes('-') ?? false))).toEqual(c.at);
        expect(reportProblems(rule, reported, found)).toEqual([]);
        if (c.message) for (const f of found) expect(f.message).toContain(c.message);
        if (c.severity) for (const f of found) expect(f.severity).toBe(c.severity);
        if (c.messageId) for (const r of reported) expect(r.messageId).toBe(c.messageId);
        if (c.data) for (const r of reported) expect(r.data).toEqual(c.data);
      });
    }
    // a run lints every file with the same visitors: after all the other cases, a case must lint as it does alone
    it('keeps nothing of one file for the next', () => {
      const all = [...cases.valid, ...cases.invalid];
      const maps = new Map<string, Map<string, SeveritySetting>>();
      const shared = (c: ValidCase) => {
        const key = JSON.stringify(c.severities ?? {});
        let map = maps.get(key);
        if (!map) maps.set(key, (map = new Map(Object.entries(c.severities ?? {}))));
        return map;
      };
      const after = [...all, ...all].map((c) => where(lintSql(c.sql, c, rules, shared(c)))).slice(all.length);
      expect(after).toEqual(all.map((c) => where(lintSql(c.sql, c))));
    });
    // each message has its own help: every one must be reported, and so checked, by some invalid case
    const ids = Object.keys(rule.meta.messages);
    if (ids.length > 1)
      it('reports each of its messages in some invalid case', () => {
        const seen = new Set(cases.invalid.flatMap((c) => lintWatched(id, c.sql, c).reported.map((r) => r.messageId)));
        expect(ids.filter((m) => !seen.has(m))).toEqual([]);
      });
  });
}
