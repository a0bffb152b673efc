// What lint claims about each statement, for comparing with what PostgreSQL did and for
// estimating how long a lock is held: the locks of src/sql/locks.ts on tables that existed
// before the migration, recorded by a rule that reports nothing, and the findings of the
// rules that say a statement rewrites, scans or builds an index under a lock.
import { rules } from '../../rules/index.js';
import { defineRule, type Finding, type Rule, type RuleMeta } from '../lint/rule.js';
import type { FileResult } from '../lint/engine.js';
import { LOCK_MODES, type LockMode } from '../sql/locks.js';
import { qkey } from '../sql/names.js';

/** The work a rule says a statement does under its lock. */
export type Work = NonNullable<RuleMeta['work']>;

/** The rules that say so, by id, from their metadata. */
export const RULE_WORK: Readonly<Record<string, Work>> = Object.fromEntries(
  rules.flatMap((r) => (r.meta.work ? [[r.meta.id, r.meta.work]] : [])),
);

export function stronger(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

/** What lint says of one statement. */
export interface StaticStatement {
  line: number;
  /** The strongest lock lint expects per existing table, keyed by `schema.name`. */
  locks: Map<string, LockMode>;
  /** The statement's change kinds. */
  kinds: string[];
  findings: Finding[];
}

/** `schema.name` of a table, the key static and traced locks are matched by. */
export function tableKey(schema: string | undefined, name: string): string {
  return qkey({ ...(schema !== undefined && { schema }), name }).replace('\u0000', '.');
}

/** A rule that reports nothing and records, per file and statement line, the locks lint expects. */
export function lockRecorder(): { rule: Rule; statements: Map<string, Map<number, StaticStatement>> } {
  const statements = new Map<string, Map<number, StaticStatement>>();
  const rule = defineRule({
    meta: {
      id: 'pgphase-trace-locks',
      category: 'blocks-traffic',
      severity: 'warning',
      description: 'records the locks lint expects',
      messages: {},
    },
    create(context) {
      let current: StaticStatement | undefined;
      return {
        statement(statement) {
          let file = statements.get(context.source.path);
          if (!file) statements.set(context.source.path, (file = new Map()));
          current = { line: statement.location.line, locks: new Map(), kinds: [], findings: [] };
          file.set(current.line, current);
        },
        change(change) {
          current!.kinds.push(change.kind);
          for (const l of context.locks(change)) {
            // made earlier in this migration (a table, or a materialized view), or by this very
            // statement (a table whose foreign key references itself): no traffic yet
            if (context.isNewTable(l.table) || context.isNewObject(l.table)) continue;
            if (change.kind === 'create-table' && qkey(l.table) === qkey(change.table)) continue;
            const key = tableKey(l.table.schema, l.table.name);
            const had = current!.locks.get(key);
            current!.locks.set(key, had ? stronger(had, l.mode) : l.mode);
          }
        },
      };
    },
  });
  return { rule, statements };
}

/** The statement of a file a line is in: the last one starting at or before it. */
export function statementAt(
  statements: Map<string, Map<number, StaticStatement>>,
  path: string,
): (line: number) => StaticStatement | undefined {
  const byLine = [...(statements.get(path)?.values() ?? [])].sort((a, b) => a.line - b.line);
  return (line) => byLine.filter((s) => s.line <= line).pop();
}

/** Puts each finding of the lint results with the statement it is on. */
export function attachFindings(
  files: readonly FileResult[],
  statements: Map<string, Map<number, StaticStatement>>,
): void {
  for (const file of files) {
    const at = statementAt(statements, file.path);
    for (const finding of file.findings) at(finding.location.line)?.findings.push(finding);
  }
}
