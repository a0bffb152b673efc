// Walks one parsed file statement by statement: normalizes, runs the enabled rules with
// the schema as it was before each statement, applies directives, then advances the
// schema model. Returns plain data; never prints.
import { classify, strongest, type Change, type ChangeClass } from '../sql/changes.js';
import { normalizeStatement } from '../sql/normalize.js';
import { qkey, type QName } from '../sql/names.js';
import type { Location, SourceFile, Statement } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';
import { readDirectives, suppressing } from './directives.js';
import { fill, type Finding, type Rule, type RuleContext, type Severity, type SeveritySetting, type TransactionModel } from './rule.js';

export interface StatementResult {
  index: number;
  class: ChangeClass;
  kinds: string[];
  location: Location;
}

export interface FileResult {
  path: string;
  class: ChangeClass;
  statements: StatementResult[];
  findings: Finding[];
}

export interface EngineOptions {
  rules: readonly Rule[];
  /** Effective severity per rule id (config and flags applied); missing means the rule's default. */
  severities: ReadonlyMap<string, SeveritySetting>;
  pgVersion: number;
  transaction: TransactionModel;
  /** The schema before the file; the engine advances it through the file. */
  schema: SchemaModel;
}

function docsPath(id: string): string {
  return `rules/${id}.md`;
}

function severityOf(rule: Rule, options: EngineOptions): SeveritySetting {
  return options.severities.get(rule.meta.id) ?? rule.meta.severity;
}

function finding(rule: Rule, severity: Severity, messageId: string, data: Record<string, string | number> | undefined, location: Location): Finding {
  const template = rule.meta.messages[messageId];
  if (template === undefined) throw new Error(`rule ${rule.meta.id} has no message "${messageId}"`);
  return {
    rule: rule.meta.id,
    category: rule.meta.category,
    severity,
    message: fill(template, data),
    help: fill(rule.meta.help, data),
    location,
    docs: docsPath(rule.meta.id),
  };
}

/** Changes of each statement, in order. */
export function changesOf(source: SourceFile): Change[][] {
  return source.statements.map(normalizeStatement);
}

/** Applies a file to the schema model without linting it (history replay). */
export function replay(source: SourceFile, schema: SchemaModel): void {
  for (const changes of changesOf(source)) for (const change of changes) schema.apply(change);
}

/** For each statement, the index of the last statement of the transaction it runs in (itself when it autocommits). */
function transactionEnds(statementChanges: Change[][], wrapped: boolean): number[] {
  const last = statementChanges.length - 1;
  if (wrapped) return statementChanges.map(() => last);
  const ends = statementChanges.map((_, i) => i);
  let begin: number | undefined;
  statementChanges.forEach((changes, i) => {
    for (const c of changes) {
      if (c.kind !== 'transaction') continue;
      if (c.op === 'begin') begin ??= i;
      if ((c.op === 'commit' || c.op === 'rollback') && begin !== undefined) {
        for (let j = begin; j <= i; j++) ends[j] = i;
        begin = undefined;
      }
    }
  });
  if (begin !== undefined) for (let j = begin; j <= last; j++) ends[j] = last;
  return ends;
}

export function lintSource(source: SourceFile, options: EngineOptions): FileResult {
  const byId = new Map(options.rules.map((r) => [r.meta.id, r]));
  const findings: Finding[] = [];
  const inRange = (rule: Rule) => {
    const { min, max } = rule.meta.pgVersion ?? {};
    return (min === undefined || options.pgVersion >= min) && (max === undefined || options.pgVersion <= max);
  };
  const enabled = (id: string): Severity | undefined => {
    const rule = byId.get(id);
    const s = rule && inRange(rule) ? severityOf(rule, options) : 'off';
    return s === 'off' ? undefined : s;
  };
  const emitEngine = (id: string, messageId: string, data: Record<string, string | number>, location: Location) => {
    const severity = enabled(id);
    if (severity) findings.push(finding(byId.get(id)!, severity, messageId, data, location));
  };

  if (source.syntaxError) {
    emitEngine('syntax-error', 'default', { message: source.syntaxError.message }, source.syntaxError.location);
    return { path: source.path, class: 'neutral', statements: [], findings };
  }

  const directives = readDirectives(
    source.comments,
    source.statements.map((s) => s.start),
    (id) => byId.has(id),
  );
  const transaction: TransactionModel = directives.noTransaction ? 'none' : options.transaction;
  const statementChanges = changesOf(source);
  // A file sent as one query string runs as one implicit transaction only when it has several statements.
  const wrapped = transaction === 'per-file' || (transaction === 'implicit' && source.statements.length > 1);

  const transactionEnd = transactionEnds(statementChanges, wrapped);
  const created = new Set<string>();
  const createdObjects = new Set<string>();
  let lockTimeoutLocal = false;
  let beforeTransaction = false;
  const state = {
    statement: undefined as Statement | undefined,
    changes: [] as Change[],
    statementClass: 'neutral' as ChangeClass,
    inExplicitTransaction: false,
    lockTimeoutSet: false,
  };

  const active = options.rules.filter((rule) => enabled(rule.meta.id));

  const visitors = active.map((rule) => {
    const severity = enabled(rule.meta.id)!;
    const context: RuleContext = {
      source,
      pgVersion: options.pgVersion,
      transaction,
      schema: options.schema,
      get statement() {
        return state.statement!;
      },
      get changes() {
        return state.changes;
      },
      get statementClass() {
        return state.statementClass;
      },
      get inTransaction() {
        return state.inExplicitTransaction || wrapped;
      },
      get inExplicitTransaction() {
        return state.inExplicitTransaction;
      },
      get lockTimeoutSet() {
        return state.lockTimeoutSet;
      },
      isNewTable: (table: QName) => created.has(qkey(table)),
      isNewObject: (name: QName) => createdObjects.has(qkey(name)),
      get transactionId() {
        return transactionEnd[state.statement?.index ?? 0]!;
      },
      laterInTransaction: (match) => {
        const i = state.statement?.index ?? 0;
        return statementChanges.slice(i + 1, transactionEnd[i]! + 1).some((changes) => changes.some(match));
      },
      report: ({ messageId, data, location, statement: at }) => {
        const statement = at ?? state.statement?.index;
        const directive = suppressing(directives, rule.meta.id, statement);
        if (directive) {
          directive.used.add(rule.meta.id);
          return;
        }
        findings.push(finding(rule, severity, messageId, data, location ?? state.statement?.location ?? source.lines.span(0, 0)));
      },
    };
    return rule.create(context);
  });

  const statements: StatementResult[] = [];
  source.statements.forEach((statement, i) => {
    const changes = statementChanges[i]!;
    state.statement = statement;
    state.changes = changes;
    state.statementClass = strongest(changes.map(classify));
    statements.push({ index: i, class: state.statementClass, kinds: [...new Set(changes.map((c) => c.kind))], location: statement.location });
    for (const v of visitors) v.statement?.(statement);
    for (const change of changes) {
      for (const v of visitors) v.change?.(change);
      options.schema.apply(change);
      advance(change);
    }
  });
  state.statement = undefined;
  for (const v of visitors) v.end?.();

  function advance(change: Change): void {
    if (change.kind === 'create-table' || change.kind === 'create-table-as') created.add(qkey(change.table));
    if (change.kind === 'rename-table' && created.has(qkey(change.table))) created.add(qkey({ ...change.table, name: change.newName }));
    if ((change.kind === 'create-object' && !change.orReplace) || change.kind === 'create-domain') createdObjects.add(qkey(change.name));
    if (change.kind === 'create-enum') createdObjects.add(qkey(change.type));
    if (change.kind === 'transaction') {
      if (change.op === 'begin') {
        state.inExplicitTransaction = true;
        beforeTransaction = state.lockTimeoutSet;
      }
      if (change.op === 'commit' || change.op === 'rollback') {
        state.inExplicitTransaction = false;
        // a SET LOCAL ends with its transaction, a ROLLBACK undoes any SET made in it
        if (lockTimeoutLocal || change.op === 'rollback') state.lockTimeoutSet = beforeTransaction;
        lockTimeoutLocal = false;
      }
    }
    // SET LOCAL outside a transaction only draws a warning from PostgreSQL: it sets nothing
    if (change.kind === 'set' && change.name === 'lock_timeout' && (!change.local || state.inExplicitTransaction || wrapped)) {
      state.lockTimeoutSet = change.value !== undefined && !/^0(ms|s)?$/.test(change.value.trim());
      lockTimeoutLocal = change.local;
    }
  }

  for (const directive of directives.ignores) {
    if (directive.invalid) {
      emitEngine('invalid-ignore', 'default', { problem: directive.invalid }, directive.comment.location);
      continue;
    }
    for (const id of directive.rules) {
      if (!directive.used.has(id) && enabled(id)) emitEngine('unused-ignore', 'default', { rule: id }, directive.comment.location);
    }
  }

  findings.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column || a.rule.localeCompare(b.rule));
  return { path: source.path, class: strongest(statements.map((s) => s.class)), statements, findings };
}
