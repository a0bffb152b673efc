// Walks one parsed file statement by statement: normalizes, runs the enabled rules with
// the schema as it was before each statement, applies directives, then advances the
// schema model. Returns plain data; never prints.
import { classify, CreatedHere, strongest, type Change, type ChangeClass } from '../sql/changes.js';
import { normalizeStatement } from '../sql/normalize.js';
import type { QName } from '../sql/names.js';
import type { Location, SourceFile, Statement } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';
import { readDirectives, suppressing, type Directives } from './directives.js';
import { fill, type Finding, type Report, type Rule, type RuleContext, type RuleVisitor, type Severity, type SeveritySetting, type TransactionModel } from './rule.js';

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
  /** Effective severity per rule id (config and flags applied); missing means the rule's default.
   *  The engine prepares the rules once per map: pass a new map rather than changing this one. */
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

interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

/** What the engine needs of one rule set, severities and PostgreSQL version; the same for every file of a config. */
interface Prepared {
  byId: Map<string, Rule>;
  /** Rules that are on and apply to the version, in registry order. */
  active: ActiveRule[];
  enabled(id: string): Severity | undefined;
}

const preparedCache = new WeakMap<readonly Rule[], WeakMap<ReadonlyMap<string, SeveritySetting>, Map<number, Prepared>>>();

function prepare(options: EngineOptions): Prepared {
  let bySeverities = preparedCache.get(options.rules);
  if (!bySeverities) preparedCache.set(options.rules, (bySeverities = new WeakMap()));
  let byVersion = bySeverities.get(options.severities);
  if (!byVersion) bySeverities.set(options.severities, (byVersion = new Map()));
  let prepared = byVersion.get(options.pgVersion);
  if (prepared) return prepared;

  const byId = new Map(options.rules.map((r) => [r.meta.id, r]));
  const severities = new Map<string, Severity>();
  for (const [id, rule] of byId) {
    const { min, max } = rule.meta.pgVersion ?? {};
    const inRange = (min === undefined || options.pgVersion >= min) && (max === undefined || options.pgVersion <= max);
    const severity = inRange ? severityOf(rule, options) : 'off';
    if (severity !== 'off') severities.set(id, severity);
  }
  const active = options.rules.flatMap((rule) => {
    const severity = severities.get(rule.meta.id);
    return severity ? [{ rule, severity }] : [];
  });
  prepared = { byId, active, enabled: (id) => severities.get(id) };
  byVersion.set(options.pgVersion, prepared);
  return prepared;
}

/** One file's walk: what every rule's context reads, updated in place as the walk advances. */
class Walk {
  statement = undefined as unknown as Statement;
  changes: readonly Change[] = [];
  statementClass: ChangeClass = 'neutral';
  inExplicitTransaction = false;
  inTransaction: boolean;
  lockTimeoutSet = false;
  transactionId: number;
  readonly created = new CreatedHere();
  /** The lock_timeout in force was set by SET LOCAL, so it ends with the transaction. */
  private lockTimeoutLocal = false;
  /** lockTimeoutSet before the explicit transaction began, for its end. */
  private beforeTransaction = false;

  constructor(
    readonly source: SourceFile,
    readonly options: EngineOptions,
    readonly transaction: TransactionModel,
    /** The tool runs the whole file in one transaction. */
    readonly wrapped: boolean,
    readonly statementChanges: readonly Change[][],
    readonly transactionEnd: readonly number[],
    readonly directives: Directives,
    readonly findings: Finding[],
  ) {
    this.inTransaction = wrapped;
    this.transactionId = transactionEnd[0] ?? 0;
  }

  private setExplicitTransaction(inside: boolean): void {
    this.inExplicitTransaction = inside;
    this.inTransaction = inside || this.wrapped;
  }

  /** Steps past a change: what it created, the transaction it opens or ends, the lock_timeout it sets. */
  advance(change: Change): void {
    this.created.track(change);
    if (change.kind === 'transaction') {
      if (change.op === 'begin') {
        this.setExplicitTransaction(true);
        this.beforeTransaction = this.lockTimeoutSet;
      }
      if (change.op === 'commit' || change.op === 'rollback') {
        this.setExplicitTransaction(false);
        // a SET LOCAL ends with its transaction, a ROLLBACK undoes any SET made in it
        if (this.lockTimeoutLocal || change.op === 'rollback') this.lockTimeoutSet = this.beforeTransaction;
        this.lockTimeoutLocal = false;
      }
    }
    // SET LOCAL outside a transaction only draws a warning from PostgreSQL: it sets nothing
    if (change.kind === 'set' && change.name === 'lock_timeout' && (!change.local || this.inExplicitTransaction || this.wrapped)) {
      this.lockTimeoutSet = change.value !== undefined && !/^0(ms|s)?$/.test(change.value.trim());
      this.lockTimeoutLocal = change.local;
    }
  }

  laterInTransaction(match: (change: Change) => boolean): boolean {
    const i = this.statement?.index ?? 0;
    const end = this.transactionEnd[i]!;
    for (let j = i + 1; j <= end; j++) if (this.statementChanges[j]!.some(match)) return true;
    return false;
  }

  report(rule: Rule, severity: Severity, { messageId, data, location, statement: at }: Report): void {
    const directive = suppressing(this.directives, rule.meta.id, at ?? this.statement?.index);
    if (directive) directive.used.add(rule.meta.id);
    else this.findings.push(finding(rule, severity, messageId, data, location ?? this.statement?.location ?? this.source.lines.span(0, 0)));
  }
}

/** A rule's view of the walk. One class for every rule and file, so that the property reads in
 *  rules stay monomorphic (an object per file to inherit from would give each file its own shapes). */
class Context implements RuleContext {
  constructor(
    private readonly walk: Walk,
    private readonly rule: Rule,
    private readonly severity: Severity,
  ) {}

  get source() {
    return this.walk.source;
  }
  get pgVersion() {
    return this.walk.options.pgVersion;
  }
  get transaction() {
    return this.walk.transaction;
  }
  get schema() {
    return this.walk.options.schema;
  }
  get statement() {
    return this.walk.statement;
  }
  get changes() {
    return this.walk.changes;
  }
  get statementClass() {
    return this.walk.statementClass;
  }
  get inTransaction() {
    return this.walk.inTransaction;
  }
  get inExplicitTransaction() {
    return this.walk.inExplicitTransaction;
  }
  get lockTimeoutSet() {
    return this.walk.lockTimeoutSet;
  }
  get transactionId() {
    return this.walk.transactionId;
  }
  isNewTable(table: QName): boolean {
    return this.walk.created.isNewTable(table);
  }
  isNewObject(name: QName): boolean {
    return this.walk.created.isNewObject(name);
  }
  laterInTransaction(match: (change: Change) => boolean): boolean {
    return this.walk.laterInTransaction(match);
  }
  report(report: Report): void {
    this.walk.report(this.rule, this.severity, report);
  }
}

export function lintSource(source: SourceFile, options: EngineOptions): FileResult {
  const { byId, active, enabled } = prepare(options);
  const findings: Finding[] = [];
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
  const statementChanges = source.statements.map(normalizeStatement);
  // A file sent as one query string runs as one implicit transaction only when it has several statements.
  const wrapped = transaction === 'per-file' || (transaction === 'implicit' && source.statements.length > 1);
  const walk = new Walk(source, options, transaction, wrapped, statementChanges, transactionEnds(statementChanges, wrapped), directives, findings);

  // The visitors that have each handler: the loops below call only those.
  const onStatement: RuleVisitor[] = [];
  const onChange: RuleVisitor[] = [];
  const onEnd: RuleVisitor[] = [];
  for (const { rule, severity } of active) {
    const visitor = rule.create(new Context(walk, rule, severity));
    if (visitor.statement) onStatement.push(visitor);
    if (visitor.change) onChange.push(visitor);
    if (visitor.end) onEnd.push(visitor);
  }

  const statements: StatementResult[] = [];
  source.statements.forEach((statement, i) => {
    const changes = statementChanges[i]!;
    walk.statement = statement;
    walk.changes = changes;
    walk.statementClass = strongest(changes.map(classify));
    walk.transactionId = walk.transactionEnd[i]!;
    statements.push({ index: i, class: walk.statementClass, kinds: [...new Set(changes.map((c) => c.kind))], location: statement.location });
    for (const visitor of onStatement) visitor.statement!(statement);
    for (const change of changes) {
      for (const visitor of onChange) visitor.change!(change);
      options.schema.apply(change);
      walk.advance(change);
    }
  });
  walk.statement = undefined as unknown as Statement;
  walk.transactionId = walk.transactionEnd[0] ?? 0;
  for (const visitor of onEnd) visitor.end!();

  for (const directive of directives.ignores) {
    if (directive.invalid) {
      emitEngine('invalid-ignore', 'default', { problem: directive.invalid }, directive.comment.location);
      continue;
    }
    for (const id of directive.rules) {
      if (!directive.used.has(id) && enabled(id)) emitEngine('unused-ignore', 'default', { rule: id }, directive.comment.location);
    }
  }

  findings.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { path: source.path, class: strongest(statements.map((s) => s.class)), statements, findings };
}
