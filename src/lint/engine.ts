// Walks one parsed file statement by statement: normalizes, runs the enabled rules with
// the schema as it was before each statement, applies directives, then advances the
// schema model. Returns plain data; never prints.
import { changeTable, classify, strongest, type Change, type ChangeClass, type ChangeKind } from '../sql/changes.js';
import { CreatedHere } from '../schema/created.js';
import { readStatement } from '../sql/normalize.js';
import { locksOf, strongestLocks, type LockTaken } from '../sql/locks.js';
import { qkey, quoteQName, type QName } from '../sql/names.js';
import { needsEmptyTable } from '../sql/volatility.js';
import type { Location, SourceFile, Statement } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';
import { readDirectives, suppressing, type Directives, type IgnoreDirective } from './directives.js';
import {
  fill,
  lockTimeoutMs,
  type Finding,
  type Report,
  type Rule,
  type RuleContext,
  type RuleVisitor,
  type Severity,
  type SeveritySetting,
  type TransactionModel,
} from './rule.js';

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
  /** What the earlier files of the same migration created (a migration split over several files);
   *  the engine adds what this file creates. A new one when the file is a migration of its own. */
  created?: CreatedHere;
  /** `schema` holds the whole history before the file (replayed from its first migration, or given). */
  historyKnown?: boolean;
  /** The longest lock_timeout a migration may set, in milliseconds; 5000 when absent. */
  maxLockTimeout?: number;
  /** Findings name the table locks their statement takes (`Finding.lock`); true when absent. */
  locks?: boolean;
}

/** Each rule's docs path, made once: not a new string for each of its findings. */
const docsPaths = new Map<string, string>();

function docsPath(id: string): string {
  let path = docsPaths.get(id);
  if (path === undefined) docsPaths.set(id, (path = `rules/${id}.md`));
  return path;
}

function severityOf(rule: Rule, options: EngineOptions): SeveritySetting {
  return options.severities.get(rule.meta.id) ?? rule.meta.severity;
}

function finding(
  rule: Rule,
  severity: Severity,
  messageId: string,
  data: Record<string, string | number> | undefined,
  location: Location,
  lock?: string,
): Finding {
  const meta = rule.meta;
  const spec = meta.messages[messageId];
  if (spec === undefined) throw new Error(`rule ${meta.id} has no message "${messageId}"`);
  const found: Finding = {
    rule: meta.id,
    category: meta.category,
    severity,
    message: fill(spec.message, data),
    help: fill(spec.help, data),
    location,
    docs: docsPath(meta.id),
  };
  if (lock) found.lock = lock;
  return found;
}

/** The transaction a statement runs in: its first and last statement, and whether it is a transaction
 *  block (explicit, implicit or the tool's) rather than one statement that autocommits. */
export interface Transaction {
  first: number;
  last: number;
  block: boolean;
}

/**
 * The transaction of each statement, as PostgreSQL runs the file under the model. `none`: each
 * statement autocommits, except from a BEGIN to its COMMIT or ROLLBACK. `implicit` (one query
 * string of several statements): an implicit block opens at the first statement and again after
 * each COMMIT or ROLLBACK; a BEGIN inside makes it explicit, with the statements before it.
 * `per-file`: the tool's BEGIN opens a block before the first statement; a COMMIT or ROLLBACK in
 * the file ends it (the tool's COMMIT then only draws a warning) and the statements after it run
 * as under `none`. A block that nothing ends lasts to the end of the file.
 */
function transactions(statementChanges: readonly Change[][], model: TransactionModel): Transaction[] {
  const last = statementChanges.length - 1;
  const implicit = model === 'implicit' && last > 0;
  let open: Transaction | undefined = model === 'per-file' && last >= 0 ? { first: 0, last, block: true } : undefined;
  return statementChanges.map((changes, i) => {
    if (implicit) open ??= { first: i, last, block: true };
    let current = open;
    for (const c of changes) {
      if (c.kind !== 'transaction') continue;
      if (c.op === 'begin') current = open ??= { first: i, last, block: true };
      if ((c.op === 'commit' || c.op === 'rollback') && open) {
        open.last = i;
        open = undefined;
      }
    }
    return current ?? { first: i, last: i, block: false };
  });
}

/** How PostgreSQL runs a parsed file under the model: the model itself, unless a `-- pgphase: no-transaction`
 *  directive makes it `none`, and the transaction of each statement. */
export function transactionsOf(
  source: SourceFile,
  transaction: TransactionModel,
): { model: TransactionModel; transactions: Transaction[] } {
  const model: TransactionModel = readDirectives(source.comments, source.statements, () => true).noTransaction
    ? 'none'
    : transaction;
  return { model, transactions: transactions(source.statements.map(readStatement), model) };
}

/** Whether a `lock_timeout` value sets a timeout: PostgreSQL rounds it to whole milliseconds,
 *  halves to even, and takes 0 as no timeout; a value it cannot read fails the SET. */
function setsLockTimeout(value: string | undefined): boolean {
  return (lockTimeoutMs(value) ?? 0) > 0.5;
}

/** A TimeZone of a fixed zero offset, as SET TIME ZONE takes it: PostgreSQL ≥ 12 then keeps the table of a
 *  timestamp ↔ timestamptz change. A zone with daylight saving time (Europe/London) is not fixed. */
const UTC_ZONE = /^(?:(?:etc\/)?(?:utc|uct|gmt|universal|zulu|greenwich)|[+-]?0+(?::?0+)?)$/i;

/** A session setting as SET and SET LOCAL leave it: a plain SET lasts the session (a ROLLBACK of the
 *  transaction it ran in undoes it), a SET LOCAL the transaction block it runs in (outside one it only
 *  draws a warning from PostgreSQL: it sets nothing). */
class Setting {
  private session = false;
  private local: boolean | undefined;
  /** The session's value when the current transaction began, which a ROLLBACK restores. */
  private atBegin = false;

  get value(): boolean {
    return this.local ?? this.session;
  }
  begin(): void {
    this.atBegin = this.session;
  }
  end(rollback: boolean): void {
    if (rollback) this.session = this.atBegin;
    this.local = undefined;
  }
  set(on: boolean, local: boolean, inBlock: boolean): void {
    if (!local) {
      this.session = on;
      this.local = undefined;
    } else if (inBlock) this.local = on;
  }
}

/** What the engine needs of one rule set, severities and PostgreSQL version; the same for every file of a config.
 *  The rules' visitors are made once here: their contexts read the file being walked from `view`. */
interface Prepared {
  byId: Map<string, Rule>;
  enabled(id: string): Severity | undefined;
  view: View;
  /** The visitors of the rules that are on and apply to the version, in registry order: those with each handler. */
  onFile: RuleVisitor[];
  onStatement: RuleVisitor[];
  onEnd: RuleVisitor[];
  /** Those a change of the kind goes to. */
  onChange(kind: ChangeKind): readonly RuleVisitor[];
}

const preparedCache = new WeakMap<
  readonly Rule[],
  WeakMap<ReadonlyMap<string, SeveritySetting>, Map<number, Prepared>>
>();

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
  const view = new View();
  const active = options.rules.flatMap((rule) => {
    const severity = severities.get(rule.meta.id);
    return severity ? [{ kinds: rule.kinds, visitor: createVisitor(rule, severity, view) }] : [];
  });
  const visitors = active.map((a) => a.visitor);
  const byKind = new Map<ChangeKind, RuleVisitor[]>();
  const onChange = (kind: ChangeKind) => {
    let list = byKind.get(kind);
    if (!list) {
      list = active.flatMap(({ kinds, visitor }) =>
        visitor.change && (!kinds || kinds.includes(kind)) ? [visitor] : [],
      );
      byKind.set(kind, list);
    }
    return list;
  };
  prepared = {
    byId,
    enabled: (id) => severities.get(id),
    view,
    onFile: visitors.filter((v) => v.file),
    onStatement: visitors.filter((v) => v.statement),
    onEnd: visitors.filter((v) => v.end),
    onChange,
  };
  byVersion.set(options.pgVersion, prepared);
  return prepared;
}

/** One file's walk: it keeps what the rules' contexts read in the rule set's view, updated in place as the
 *  walk advances (statement, changes, transaction, lock_timeout), and reads the statement it is at there. */
class Walk {
  current!: Transaction;
  readonly created: CreatedHere;
  /** A lock_timeout in force, and a TimeZone of zero offset. */
  private readonly lockTimeout = new Setting();
  private readonly utc = new Setting();
  /** The tables, by qkey, that must be empty for the transaction `emptiedIn` to succeed: a change of it added a column
   *  that fails on rows (add-required-column). A scan, rewrite or index build of one after it reads no row. */
  private readonly emptied = new Set<string>();
  private emptiedIn = -1;

  constructor(
    readonly view: View,
    readonly source: SourceFile,
    readonly options: EngineOptions,
    readonly model: TransactionModel,
    readonly statementChanges: readonly Change[][],
    readonly transactions: readonly Transaction[],
    readonly directives: Directives,
    readonly findings: Finding[],
  ) {
    this.created = options.created ?? new CreatedHere();
    view.walk = this;
    view.source = source;
    view.pgVersion = options.pgVersion;
    view.transaction = model;
    view.schema = options.schema;
    view.historyKnown = options.historyKnown ?? false;
    view.maxLockTimeout = options.maxLockTimeout ?? 5000;
    view.statement = undefined as unknown as Statement;
    view.changes = [];
    view.statementClass = 'neutral';
    view.inExplicitTransaction = false;
    view.lockTimeoutSet = false;
    view.utcSession = false;
    this.at(transactions[0] ?? { first: 0, last: 0, block: false });
  }

  /** Moves to a statement's transaction. */
  private at(transaction: Transaction): void {
    this.current = transaction;
    this.view.inTransaction = transaction.block;
    this.view.transactionId = transaction.last;
  }

  /** Moves to a statement, before any of its changes. */
  enter(statement: Statement, changes: readonly Change[]): void {
    const view = this.view;
    view.statement = statement;
    view.changes = changes;
    if (this.changeLocks.size > 0) this.changeLocks.clear();
    // most statements make one change: its class, without an array of one
    view.statementClass = changes.length === 1 ? classify(changes[0]!) : strongest(changes.map(classify));
    this.at(this.transactions[statement.index]!);
    if (this.current.first === statement.index) {
      this.lockTimeout.begin();
      this.utc.begin();
    }
  }

  /** Steps past a change: what it created, the transaction it opens or ends, the lock_timeout it sets.
   *  Call before the schema model applies it, which tells whether it creates anything. */
  advance(change: Change): void {
    if (change.kind === 'add-column' && needsEmptyTable(change.column) && !this.created.isNewTable(change.table)) {
      if (this.emptiedIn !== this.view.transactionId) this.emptied.clear();
      this.emptiedIn = this.view.transactionId;
      this.emptied.add(qkey(change.table));
    }
    this.created.track(change, this.options.schema);
    this.newTableAsked = undefined;
    if (change.kind === 'transaction') {
      if (change.op === 'begin') this.view.inExplicitTransaction = true;
      if (change.op === 'commit' || change.op === 'rollback') {
        this.view.inExplicitTransaction = false;
        // the end of a transaction ends its SET LOCAL; a ROLLBACK also undoes the SETs made in it
        if (this.current.block && this.current.last === this.view.statement.index) {
          this.lockTimeout.end(change.op === 'rollback');
          this.utc.end(change.op === 'rollback');
        }
      }
    }
    if (change.kind === 'set' && change.name === 'lock_timeout')
      this.lockTimeout.set(setsLockTimeout(change.value), change.local, this.current.block);
    // a default or RESET is the server's zone, which the migration does not say
    if (change.kind === 'set' && change.name === 'timezone')
      this.utc.set(UTC_ZONE.test(change.value?.trim() ?? ''), change.local, this.current.block);
    this.view.lockTimeoutSet = this.lockTimeout.value;
    this.view.utcSession = this.utc.value;
  }

  /** Moves past the last statement, for the rules' end of file. */
  leave(): void {
    this.view.statement = undefined as unknown as Statement;
    this.at(this.transactions[0] ?? this.current);
  }

  laterInTransaction(match: (change: Change) => boolean): boolean {
    const i = this.view.statement?.index ?? 0;
    for (let j = i + 1; j <= this.current.last; j++) if (this.statementChanges[j]!.some(match)) return true;
    return false;
  }

  report(rule: Rule, severity: Severity, { messageId, data, location, statement: at, assumption }: Report): void {
    // the work a rule reports (a scan, a rewrite, an index build) on a table that must be empty: none, under a lock the
    // transaction holds already; on a table with rows, the transaction fails before it (add-required-column says so)
    if (rule.meta.work !== undefined && this.readsNoRow()) return;
    const directive = suppressing(this.directives, rule.meta.id, at ?? this.view.statement?.index);
    if (directive) directive.used.add(rule.meta.id);
    else {
      const lock =
        this.options.locks !== false && this.view.statement && (at === undefined || at === this.view.statement.index)
          ? this.locks()
          : undefined;
      this.findings.push(
        finding(
          rule,
          assumption ? 'warning' : severity,
          messageId,
          data,
          location ?? this.view.statement?.location ?? this.source.lines.span(0, 0),
          lock,
        ),
      );
    }
  }

  private readsNoRow(): boolean {
    const table = this.visiting && changeTable(this.visiting);
    return table !== undefined && this.emptiedIn === this.view.transactionId && this.emptied.has(qkey(table));
  }

  /** The table isNewTable was last asked about, and its answer, until the next change is tracked: the
   *  rules at a change ask about its table one after another. */
  newTableAsked: QName | undefined;
  newTableAnswer = false;

  isNewTable(table: QName): boolean {
    this.newTableAsked = table;
    return (this.newTableAnswer = this.created.isNewTable(table));
  }

  /** The locks of each change of the current statement that a rule asked for at that change. */
  private readonly changeLocks = new Map<Change, readonly LockTaken[]>();

  /** The locks a change of the current statement takes, against the schema as it is before the
   *  change applies: rules ask at the change itself, and the answer is kept for the rules after
   *  them. Asked of a later change (a finding's lock text), it is worked out and not kept. */
  changeLocksOf(change: Change): readonly LockTaken[] {
    let locks = this.changeLocks.get(change);
    if (locks) return locks;
    locks = locksOf(change, this.options.schema, this.options.pgVersion);
    if (change === this.visiting) this.changeLocks.set(change, locks);
    return locks;
  }

  /** The change the rules are being shown. */
  visiting: Change | undefined;

  private locksAt = -1;
  private locksText: string | undefined;

  /** The locks the current statement takes, as findings show them; worked out once per statement. */
  private locks(): string | undefined {
    if (this.locksAt !== this.view.statement.index) {
      this.locksAt = this.view.statement.index;
      const locks = strongestLocks(this.view.changes.flatMap((c) => this.changeLocksOf(c)));
      this.locksText = locks.length ? locks.map((l) => `${l.mode} on ${quoteQName(l.table)}`).join(', ') : undefined;
    }
    return this.locksText;
  }
}

/** A rule's view of the walk of the file its rule set lints. The rule set has one, which the walk
 *  updates in place; each rule's context is an object of its own (its rule and severity) that
 *  inherits from it, so a rule's read of the context is one property load: a getter would add a call
 *  to every read, in code V8 does not optimize (bin/pgphase.cjs). */
class View implements RuleContext {
  source = undefined as unknown as SourceFile;
  pgVersion = 0;
  transaction: TransactionModel = 'none';
  schema = undefined as unknown as SchemaModel;
  statement = undefined as unknown as Statement;
  changes: readonly Change[] = [];
  statementClass: ChangeClass = 'neutral';
  inTransaction = false;
  inExplicitTransaction = false;
  historyKnown = false;
  lockTimeoutSet = false;
  utcSession = false;
  maxLockTimeout = 5000;
  transactionId = 0;
  walk = undefined as unknown as Walk;
  /** Each rule's context has its own. */
  declare readonly rule: Rule;
  declare readonly severity: Severity;

  isNewTable(table: QName): boolean {
    const walk = this.walk;
    return table === walk.newTableAsked ? walk.newTableAnswer : walk.isNewTable(table);
  }
  isNewObject(name: QName): boolean {
    return this.walk.created.isNewObject(name);
  }
  isNewColumn(table: QName, column: string): boolean {
    return this.walk.created.isNewColumn(table, column);
  }
  laterInTransaction(match: (change: Change) => boolean): boolean {
    return this.walk.laterInTransaction(match);
  }
  locks(change: Change): readonly LockTaken[] {
    return this.walk.changeLocksOf(change);
  }
  report(report: Report): void {
    this.walk.report(this.rule, this.severity, report);
  }
}

/** What a rule's context inherits while the rule makes its visitor: every read throws, as no file is
 *  being walked yet. */
const outsideAFile: object = Object.create(
  null,
  Object.fromEntries(
    Object.getOwnPropertyNames(new View())
      .concat(Object.getOwnPropertyNames(View.prototype).filter((key) => key !== 'constructor'))
      .map((key) => [
        key,
        {
          get(this: { rule: Rule }) {
            throw new Error(`rule ${this.rule.meta.id} reads its context outside a file: only its handlers may`);
          },
        },
      ]),
  ),
);

/** Makes a rule's visitor with a context that throws on any read, then points the context at the rule set's view. */
function createVisitor(rule: Rule, severity: Severity, view: View): RuleVisitor {
  const context = Object.create(outsideAFile) as { rule: Rule; severity: Severity };
  context.rule = rule;
  context.severity = severity;
  const visitor = rule.create(context as unknown as RuleContext);
  Object.setPrototypeOf(context, view);
  return visitor;
}

export function lintSource(source: SourceFile, options: EngineOptions): FileResult {
  const { byId, enabled, view, onFile, onStatement, onChange, onEnd } = prepare(options);
  const findings: Finding[] = [];

  if (source.syntaxError) {
    const severity = enabled('syntax-error');
    if (severity)
      findings.push(
        finding(
          byId.get('syntax-error')!,
          severity,
          'default',
          { message: source.syntaxError.message },
          source.syntaxError.location,
        ),
      );
    return { path: source.path, class: 'neutral', statements: [], findings };
  }

  const directives = readDirectives(source.comments, source.statements, (id) => byId.has(id));
  const model: TransactionModel = directives.noTransaction ? 'none' : options.transaction;
  const statementChanges = source.statements.map(readStatement);
  const walk = new Walk(
    view,
    source,
    options,
    model,
    statementChanges,
    transactions(statementChanges, model),
    directives,
    findings,
  );

  // The loops below call only the visitors that have each handler, and a change only those of its kind.
  const statements: StatementResult[] = [];
  try {
    for (const visitor of onFile) visitor.file!();
    // indexed loops: this one runs for every statement and change, in code V8 does not optimize (bin/pgphase.cjs)
    for (let i = 0; i < source.statements.length; i++) {
      const statement = source.statements[i]!;
      const changes = statementChanges[i]!;
      walk.enter(statement, changes);
      const kinds: string[] = [];
      for (let c = 0; c < changes.length; c++) {
        const kind = changes[c]!.kind;
        if (!kinds.includes(kind)) kinds.push(kind);
      }
      statements.push({ index: i, class: view.statementClass, kinds, location: statement.location });
      for (let v = 0; v < onStatement.length; v++) onStatement[v]!.statement!(statement);
      for (let c = 0; c < changes.length; c++) {
        const change = changes[c]!;
        const visitors = onChange(change.kind);
        walk.visiting = change;
        for (let v = 0; v < visitors.length; v++) visitors[v]!.change!(change);
        walk.visiting = undefined;
        walk.advance(change);
        options.schema.apply(change);
      }
    }
    walk.leave();
    for (const visitor of onEnd) visitor.end!();
  } finally {
    // the view keeps nothing of the file
    view.walk = undefined as unknown as Walk;
    view.source = undefined as unknown as SourceFile;
    view.schema = undefined as unknown as SchemaModel;
    view.statement = undefined as unknown as Statement;
    view.changes = [];
  }

  // Findings about ignore comments obey ignore comments too, so `pgphase-ignore-file unused-ignore: …`
  // turns that rule off for the file. One on a statement's ignore belongs to that statement.
  const reportOn = (directive: IgnoreDirective, id: string, data: Record<string, string>) => {
    const severity = enabled(id);
    const statement = directive.scope === 'statement' && directive.statement >= 0 ? directive.statement : undefined;
    if (severity)
      walk.report(byId.get(id)!, severity, {
        messageId: 'default',
        data,
        location: directive.comment.location,
        statement,
      });
  };
  for (const directive of directives.ignores)
    if (directive.invalid) reportOn(directive, 'invalid-ignore', { problem: directive.invalid });
  for (const directive of directives.ignores) {
    if (directive.invalid) continue;
    // an ignore of unused-ignore is not itself reported as unused: that is what it asks for
    for (const id of directive.rules)
      if (!directive.used.has(id) && id !== 'unused-ignore' && enabled(id))
        reportOn(directive, 'unused-ignore', { rule: id });
  }

  findings.sort(
    (a, b) =>
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
  return { path: source.path, class: strongest(statements.map((s) => s.class)), statements, findings };
}
