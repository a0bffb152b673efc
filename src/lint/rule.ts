// The rule API: a rule is metadata plus a visitor over the changes of one file.
import {
  APPLICATION_OBJECTS,
  createdName,
  typedColumns,
  type Change,
  type ChangeClass,
  type ChangeKind,
  type ChangeOf,
  type ObjectType,
  type TypedColumn,
  type TypeRef,
} from '../sql/changes.js';
import type { LockTaken } from '../sql/locks.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../sql/names.js';
import { analyzeAlter, type TypeChangeAnalysis } from '../sql/type-change.js';
import { nameSpan, type Location, type SourceFile, type Statement } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';

export type Category = 'breaks-old-code' | 'blocks-traffic' | 'data-loss' | 'robustness' | 'style';
export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

import type { TransactionModel } from '../discover/layouts.js';

export type { TransactionModel };

/** The `{{name}}` placeholders of a message template: their names, or any name when the template is not a literal. */
export type Placeholders<T extends string> = string extends T
  ? string
  : T extends `${string}{{${infer Name}}}${infer Rest}`
    ? Trim<Name> | Placeholders<Rest>
    : never;
type Trim<T extends string> = T extends ` ${infer R}` ? Trim<R> : T extends `${infer R} ` ? Trim<R> : T;

/** One message of a rule: what the finding says, and the one action that fixes that case. */
export interface RuleMessage {
  /** The finding; `{{name}}` placeholders are filled from the report's data. */
  message: string;
  /** The one action that fixes what the message describes; may use placeholders too. */
  help: string;
}

export type RuleMessages = Record<string, RuleMessage>;

export interface RuleMeta<Messages extends RuleMessages = RuleMessages> {
  id: string;
  category: Category;
  severity: SeveritySetting;
  /** One line for the rule table and `pgphase rules`. */
  description: string;
  /** PostgreSQL major versions the rule applies to (inclusive). */
  pgVersion?: { min?: number; max?: number };
  /** The rule's messages by id, each with its help. */
  messages: Messages;
  /** `pgphase plan` has a recipe that makes what the rule finds safe: the help of each message
   *  it plans points there. */
  plannable?: true;
  /** The work the flagged statement does under its lock: rewrite a table, scan it, or build an
   *  index (trace compares it with what PostgreSQL did; size estimates time it). */
  work?: 'rewrite' | 'scan' | 'index';
}

export interface Finding {
  rule: string;
  category: Category;
  severity: Severity;
  message: string;
  help: string;
  location: Location;
  docs: string;
  /** The table locks the finding's statement takes, strongest first: `ACCESS EXCLUSIVE on "orders"`; absent when it takes none. */
  lock?: string;
}

interface ReportBase {
  /** Defaults to the current statement's location. */
  location?: Location;
  /** The statement the finding belongs to, for ignore comments; defaults to the current one. */
  statement?: number;
  /** The finding rests on an assumption about a schema pgphase does not know (its message says
   *  which, and how to give the schema): it is reported as a warning at most. */
  assumption?: boolean;
}

/** The data a message and its help need: one value per placeholder (none when they have none). */
type Data<Names extends string> = [Names] extends [never]
  ? { data?: Record<string, never> }
  : { data: Record<Names, string | number> };

/** A finding as a rule reports it: a message id of the rule, with the data that message and its help
 *  name (for a choice of ids, the data of each). */
export type Report<
  Messages extends RuleMessages = RuleMessages,
  Id extends keyof Messages & string = keyof Messages & string,
> = ReportBase & { messageId: Id } & Data<Placeholders<Messages[Id]['message']> | Placeholders<Messages[Id]['help']>>;

/** How to give pgphase the schema it lacks: the end of every message about an assumption. */
export const GIVE_SCHEMA =
  'lint the file in its migration directory (earlier migrations are replayed), or give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`';

/** What a rule sees while the engine walks a file; fields describe the current statement. */
export interface RuleContext<Messages extends RuleMessages = RuleMessages> {
  readonly source: SourceFile;
  readonly pgVersion: number;
  readonly transaction: TransactionModel;
  /** The schema before the current statement. */
  readonly schema: SchemaModel;
  readonly statement: Statement;
  /** The changes of the current statement. */
  readonly changes: readonly Change[];
  readonly statementClass: ChangeClass;
  /** The current statement runs inside a transaction (explicit BEGIN, or the tool wraps the file). */
  readonly inTransaction: boolean;
  /** The current statement is between an explicit BEGIN and its COMMIT. */
  readonly inExplicitTransaction: boolean;
  /** The schema before the file is the whole history (replayed from the first migration of its set,
   *  or given with --schema / --database-url): a table or column it lacks was made outside the migrations, if at all. */
  readonly historyKnown: boolean;
  /** A `lock_timeout` is in force for the current statement. */
  readonly lockTimeoutSet: boolean;
  /** The session TimeZone is a fixed zero offset for the current statement (`SET timezone = 'UTC'` before it). */
  readonly utcSession: boolean;
  /** The longest lock_timeout a migration may set, in milliseconds (the config's `maxLockTimeout`). */
  readonly maxLockTimeout: number;
  /** The table was created earlier in this migration: it has no traffic and no rows yet. */
  isNewTable(table: QName): boolean;
  /** A view, function, type, schema … created earlier in this migration, or named so by a rename there. */
  isNewObject(name: QName): boolean;
  /** A column added to an existing table earlier in this migration: the running version does not use it. */
  isNewColumn(table: QName, column: string): boolean;
  /** Equal for statements that run in the same transaction; a statement that autocommits has its own. */
  readonly transactionId: number;
  /** Does a later statement of the current statement's transaction make a change that matches? */
  laterInTransaction(match: (change: Change) => boolean): boolean;
  /** The table locks a change of the current statement takes (`locksOf` with this schema and
   *  version), worked out once however many rules ask. */
  locks(change: Change): readonly LockTaken[];
  report<Id extends keyof Messages & string>(report: Report<Messages, Id>): void;
}

/** A rule's handlers. The engine makes one per rule set (config and PostgreSQL version) and walks every
 *  file with it: what a rule keeps about a file, it makes in `file`. */
export interface RuleVisitor<K extends ChangeKind = ChangeKind> {
  /** Called before the first statement of each file. */
  file?(): void;
  /** Called for each change of the rule's `kinds`, in order, before the change is applied to the schema model. */
  change?(change: ChangeOf<K>): void;
  /** Called once per statement, before its changes. */
  statement?(statement: Statement): void;
  /** Called after the last statement. */
  end?(): void;
}

export interface Rule<Messages extends RuleMessages = RuleMessages, K extends ChangeKind = ChangeKind> {
  meta: RuleMeta<Messages>;
  /** The change kinds the visitor's `change` is called for, which it receives narrowed to
   *  them; every kind when absent. */
  kinds?: readonly K[];
  /** Makes the rule's visitor, once per rule set: the context describes the file and statement being
   *  walked, which only the visitor's handlers may read. */
  create(context: RuleContext<Messages>): RuleVisitor<K>;
}

/** A rule, its reports checked by the compiler against its own messages: each message id exists
 *  and each report carries a value for every placeholder of its message and of that message's help;
 *  its `change` handler receives the changes of its `kinds`. */
export function defineRule<const Messages extends RuleMessages, const K extends ChangeKind = ChangeKind>(
  rule: Rule<Messages, K>,
): Rule {
  return rule as unknown as Rule;
}

/**
 * Whether the application can lose an object by this drop or rename: objects it queries by
 * name (views, functions, types …) that existed before this migration, are not trigger
 * functions (only triggers call those), and are not created again under the same name in the
 * same transaction (then the name never goes missing).
 */
export function applicationLoses(context: RuleContext, objectType: ObjectType, name: QName): boolean {
  if (
    !APPLICATION_OBJECTS.has(objectType) ||
    context.isNewObject(name) ||
    context.schema.triggerFunctions.has(qkey(name))
  )
    return false;
  return !context.laterInTransaction((c) => qkey(createdName(c) ?? { name: '' }) === qkey(name));
}

/**
 * A column type change on a table that existed before this migration (the rules about type
 * changes share it): the message data, and the old type with the analysis — undefined when
 * the schema does not know the column.
 */
export function typeChangeOf(
  change: ChangeOf<'alter-column-type'>,
  context: RuleContext,
):
  | {
      data: { table: string; column: string; to: string };
      known: { from: TypeRef; analysis: TypeChangeAnalysis } | undefined;
    }
  | undefined {
  if (context.isNewTable(change.table)) return undefined;
  return {
    data: { table: quoteQName(change.table), column: quoteIdent(change.column), to: change.type.display },
    known: analyzeAlter(change, context.schema, context.pgVersion, context.utcSession),
  };
}

/**
 * A `DROP … IF EXISTS` of something no migration pgphase read creates: a finding about what it
 * drops rests on the assumption that it exists (made outside the migrations, or a history not
 * given), so it is reported as a warning that says so.
 */
export function dropAssumesExisting(ifExists: boolean, exists: boolean): boolean {
  return ifExists && !exists;
}

/** Where a column a change declares is named, for a finding about it; the statement when unknown. */
export function columnAt(context: RuleContext, at: number | undefined): Location | undefined {
  return at === undefined ? undefined : nameSpan(context.source, at);
}

/** The change kinds that declare typed columns: those `typedColumns` reads. */
export const TYPED_COLUMN_KINDS = ['create-table', 'add-column', 'alter-column-type'] as const;

/** The change the rules about column types were last shown, and its typed columns: worked out once
 *  per change, not once for each of those rules. */
let typedChange: Change | undefined;
let typed: readonly TypedColumn[] = [];

/** The visitor of a rule about column types (its `kinds` are TYPED_COLUMN_KINDS): each column a change
 *  declares with a type that `matches` is reported at its name, with `column` and `type` as message data. */
export function columnTypeVisitor(
  context: RuleContext,
  matches: (type: TypeRef) => boolean,
): RuleVisitor<(typeof TYPED_COLUMN_KINDS)[number]> {
  return {
    change(change) {
      if (change !== typedChange) {
        typedChange = change;
        typed = typedColumns(change);
      }
      // indexed loop, no iterator: this runs for every column of every table, in code V8 does not optimize
      const columns = typed;
      for (let i = 0; i < columns.length; i++) {
        const typedColumn = columns[i]!;
        if (matches(typedColumn.type))
          context.report({
            messageId: 'default',
            location: columnAt(context, typedColumn.at),
            data: { column: quoteIdent(typedColumn.column), type: typedColumn.type.display },
          });
      }
    },
  };
}

const MILLISECONDS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The milliseconds a `lock_timeout` value stands for, as PostgreSQL reads it: a number (decimal,
 *  fractional or hexadecimal) with an optional unit, milliseconds by default; undefined when it cannot read it. */
export function lockTimeoutMs(value: string | undefined): number | undefined {
  const m = /^\s*([+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))\s*(us|ms|s|min|h|d)?\s*$/.exec(
    value ?? '',
  );
  return m ? Number(m[1]) * MILLISECONDS[m[2] ?? 'ms']! : undefined;
}

// A template split once: [text, placeholder, key, text, placeholder, key, …, text].
const templates = new Map<string, string[]>();

/** Fills `{{key}}` placeholders; one without data stays as written. The pieces are joined into
 *  one flat string: `+=` would leave a tree of string pieces per finding, kept to the end of the
 *  run and flattened again by the JSON report (a cold lint of the real histories: −0.9% of
 *  instructions, −11% of those in the garbage collector). */
export function fill(template: string, data: Record<string, string | number> = {}): string {
  let parts = templates.get(template);
  if (!parts) templates.set(template, (parts = template.split(/(\{\{\s*(\w+)\s*\}\})/)));
  const n = parts.length;
  if (n === 1) return template;
  const out = [parts[0]!];
  for (let i = 1; i < n; i += 3) {
    const key = parts[i + 1]!;
    // a string, as most data is, taken as it is: String() and `in` are calls in code V8 does not optimize
    const value = data[key];
    out.push(typeof value === 'string' ? value : key in data ? String(value) : parts[i]!, parts[i + 2]!);
  }
  return out.join('');
}
