// The planner: every change of a migration goes through its recipe (or, when it is safe
// as written, into the phase its class belongs to), and the outputs compose into one plan.
import {
  changeTable,
  classify,
  nonTransactional,
  type Change,
  type ChangeKind,
  type ChangeOf,
} from '../sql/changes.js';
import { CreatedHere, known } from '../schema/created.js';
import { columnRefs, normalizeStatement, readStatement } from '../sql/normalize.js';
import {
  constraintName,
  INDEXED_CONSTRAINTS,
  fromRangeVar,
  qkey,
  quoteIdent,
  quoteQName,
  quoteQualified,
  type QName,
} from '../sql/names.js';
import { deparse } from '../sql/rewrite.js';
import { nodeOf } from '../sql/node.js';
import type { Location, SourceFile, Statement } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';
import { inverseOf } from './inverse.js';
import {
  carryKey,
  DEFERRABLE,
  dependencies,
  describeName,
  dropSql,
  freedNames,
  reusedNames,
  type DeferredDrop,
} from './reuse.js';
import {
  isRefused,
  refuse,
  step,
  type RecipeContext,
  type RecipeResult,
  type Recipes,
  type Refused,
} from './recipe.js';
import { addColumn } from './recipes/add-column.js';
import { addConstraint } from './recipes/add-constraint.js';
import { alterColumnType } from './recipes/alter-column-type.js';
import { createIndex } from './recipes/create-index.js';
import { dataChange } from './recipes/data-change.js';
import { dropColumn } from './recipes/drop-column.js';
import { dropIndex } from './recipes/drop-index.js';
import { dropTable } from './recipes/drop-table.js';
import { enumRenameValue } from './recipes/enum-rename-value.js';
import { renameColumn } from './recipes/rename-column.js';
import { renameTable } from './recipes/rename-table.js';
import { set } from './recipes/set.js';
import { setNotNull } from './recipes/set-not-null.js';
import { tableRewrite } from './recipes/table-rewrite.js';
import { withTriggers } from './batch.js';
import { PHASES, type Backfill, type PhaseName, type PlacedBackfill, type RecipeOutput, type Step } from './types.js';

/** Each change kind's recipe: src/plan/recipes/<kind>.ts. */
const RECIPES: Recipes = {
  'create-index': createIndex,
  'drop-index': dropIndex,
  'add-constraint': addConstraint,
  'rename-column': renameColumn,
  'set-not-null': setNotNull,
  'add-column': addColumn,
  'drop-column': dropColumn,
  'drop-table': dropTable,
  'rename-table': renameTable,
  'data-change': dataChange,
  'alter-column-type': alterColumnType,
  'table-rewrite': tableRewrite,
  'enum-rename-value': enumRenameValue,
  set,
};

/** The recipe of a change's kind, applied to it (TypeScript pairs a kind's recipe with its change through the type parameter). */
function recipe<K extends ChangeKind>(change: ChangeOf<K>, context: RecipeContext): RecipeResult {
  const of: Recipes[K] = RECIPES[change.kind];
  return of?.(change, context);
}

/** Statements the runner takes care of itself: transaction control and lock/statement timeouts. */
function managed(changes: Change[]): boolean {
  return changes.every(
    (c) =>
      c.kind === 'transaction' || (c.kind === 'set' && (c.name === 'lock_timeout' || c.name === 'statement_timeout')),
  );
}

/** The table a change makes unique (an index, or a constraint that builds one), if any. */
function madeUnique(change: Change): QName | undefined {
  if (change.kind === 'create-index' && change.index.unique) return change.index.table;
  if (
    change.kind === 'add-constraint' &&
    INDEXED_CONSTRAINTS.has(change.constraint.kind) &&
    !change.constraint.usingIndex
  )
    return change.table;
  return undefined;
}

/** Where a change that needs no recipe goes, besides its class. */
interface Placing {
  isNew: (table: QName) => boolean;
  /** Temporary tables (their qkeys) this migration creates. */
  temporary: Set<string>;
  /** The phase of the data changes the migration batches (backfill), or expand when it has none. */
  session: PhaseName;
  /** The latest phase the statements written so far go into. */
  latest: PhaseName;
  /** The tables (qkeys) that a data change written so far reads in the backfill. */
  readInBackfill: Set<string>;
}

/**
 * The phase a change that needs no recipe belongs to: expand for a table new in this migration,
 * else by its class. A temporary table or an object in pg_temp lives as long as the session, and
 * each phase runs in a session of its own: it goes with the data changes that read it. A DO block,
 * whose effects the plan cannot see, runs after every statement written before it (the check that
 * a data change left no row behind, the constraint added again if a drop removed it).
 */
function phaseOf(change: Change, place: Placing): PhaseName {
  if ((change.kind === 'create-object' || change.kind === 'drop-object') && change.name.schema === 'pg_temp')
    return place.session;
  const table = changeTable(change);
  if (table && place.temporary.has(qkey(table))) return place.session;
  if (change.kind === 'other' && change.node === 'DoStmt') return place.latest;
  // a table new in this migration: in expand, unless a data change written above reads it in the backfill (a column it then drops)
  if (table && place.isNew(table)) return place.readInBackfill.has(qkey(table)) ? 'backfill' : 'expand';
  const cls = classify(change);
  return cls === 'destructive' ? 'contract' : cls === 'data' ? 'backfill' : 'expand';
}

export interface Refusal {
  reason: string;
  phase: PhaseName;
  location: Location;
}

export interface PlannedPhase {
  name: PhaseName;
  steps: Step[];
  backfills: PlacedBackfill[];
  requires?: string;
}

export interface Planned {
  phases: PlannedPhase[];
  checks: string[];
  notes: string[];
  /** Changes pgphase cannot make safe; with allowUnsafe they are placed as written. */
  refusals: Refusal[];
}

export interface PlanOptions {
  source: SourceFile;
  /** The schema before the migration; the planner advances it through the migration. */
  schema: SchemaModel;
  pgVersion: number;
  allowUnsafe: boolean;
}

/** The SQL of one of a statement's `count` changes: the statement itself, or its sub-command of an ALTER TABLE; undefined when the statement cannot be split. */
function changeSql(statement: Statement, count: number, index: number): string | undefined {
  const [type, node] = nodeOf(statement.node);
  if (count === 1) return statement.text;
  if (type === 'AlterTableStmt' && node.cmds?.length === count)
    return deparse({ AlterTableStmt: { ...node, cmds: [node.cmds[index]] } });
  return undefined;
}

/** The pass of ALTER TABLE in which PostgreSQL runs a sub-command: drops first, then type changes, new columns, their properties, constraints. */
const PASS: Partial<Record<Change['kind'], number>> = {
  'drop-column': 1,
  'drop-constraint': 1,
  'drop-not-null': 1,
  'alter-column-type': 2,
  'add-column': 3,
  'set-default': 4,
  'drop-default': 4,
  'set-not-null': 4,
  'add-identity': 4,
  'add-constraint': 5,
};

/** A statement's changes, each with its place in the statement, in the order PostgreSQL runs them (`ALTER TABLE … ADD CONSTRAINT …, ADD COLUMN` adds the column first). */
function inPassOrder(statement: Statement, changes: Change[]): Array<[Change, number]> {
  const indexed = changes.map((change, i): [Change, number] => [change, i]);
  if (!statement.node.AlterTableStmt) return indexed;
  return indexed.sort(([a, i], [b, j]) => (PASS[a.kind] ?? 6) - (PASS[b.kind] ?? 6) || i - j);
}

/** The columns of a table a change is about, for the changes that may follow a column's replacement. */
function columnsOf(change: Change): string[] {
  switch (change.kind) {
    case 'set-default':
    case 'drop-default':
    case 'set-not-null':
    case 'drop-not-null':
    case 'column-comment':
    case 'alter-column-type':
    case 'rename-column':
    case 'add-identity':
      return [change.column];
    case 'add-constraint':
      return [...change.constraint.columns, ...columnRefs(change.constraint.expr?.node)];
    case 'create-index':
      return [
        ...change.index.columns.filter((c): c is string => c !== null),
        ...columnRefs(change.index.elements),
        ...columnRefs(change.index.where?.node),
      ];
    default:
      return [];
  }
}

/** The temporary table a CREATE TEMP TABLE [AS] statement makes, and whether it is dropped ON COMMIT. */
function temporaryTable(statement: Statement): { table: QName; onCommitDrop: boolean } | undefined {
  const node = statement.node.CreateStmt ?? statement.node.CreateTableAsStmt?.into;
  const rel = node?.relation ?? node?.rel;
  if (rel?.relpersistence !== 't') return undefined;
  return { table: fromRangeVar(rel), onCommitDrop: (node.oncommit ?? node.onCommit) === 'ONCOMMIT_DROP' };
}

/** A create written with IF NOT EXISTS whose object exists already, a DROP TABLE IF EXISTS of a table that does not,
 *  a DROP or SET NOT NULL of a column that is so already: PostgreSQL does nothing, and neither may its recipe or its undo. */
function existing(change: Change, schema: SchemaModel): boolean {
  if (change.kind === 'drop-table') return change.ifExists && !schema.table(change.table);
  // a column that is nullable already, or NOT NULL already
  if (change.kind === 'drop-not-null')
    return (
      schema.column(change.table, change.column)?.notNull === false &&
      !schema.pendingNotNull(change.table, change.column)
    );
  if (change.kind === 'set-not-null') return schema.column(change.table, change.column)?.notNull === true;
  if (!('ifNotExists' in change) || !change.ifNotExists) return false;
  if (change.kind === 'create-index')
    return (
      change.index.name !== undefined && schema.indexes.has(qkey({ ...change.index.table, name: change.index.name }))
    );
  return known(change, schema);
}

/** The unique or primary key a change drops, given the schema before it. */
function droppedKey(
  change: Change,
  schema: SchemaModel,
): { table: QName; columns: string[]; primary: boolean } | undefined {
  if (change.kind === 'drop-constraint') {
    const c = schema.table(change.table)?.constraints.get(change.name);
    return c && (c.kind === 'primary-key' || c.kind === 'unique')
      ? { table: change.table, columns: c.columns, primary: c.kind === 'primary-key' }
      : undefined;
  }
  if (change.kind !== 'drop-index') return undefined;
  const table = schema.indexTable(change.index);
  return table && schema.indexes.get(qkey(change.index))?.unique ? { table, columns: [], primary: false } : undefined;
}

/**
 * Steps of earlier phases moved to `to`, in phase order: to contract after a swap they depend on,
 * to the backfill after the data change written above them.
 */
function movedTo(to: PhaseName, output: RecipeOutput, context: RecipeContext): RecipeOutput {
  const before = PHASES.slice(0, PHASES.indexOf(to) + 1);
  const steps = PHASES.flatMap((phase) => output.steps.filter((s) => s.phase === phase));
  const requires = before.flatMap((phase) => (output.requires[phase] ? [output.requires[phase]!] : [])).join('; ');
  const later = Object.fromEntries(
    Object.entries(output.requires).filter(([phase]) => !before.includes(phase as PhaseName)),
  );
  return {
    ...output,
    steps: steps.map((s) =>
      !before.includes(s.phase) || s.phase === to
        ? s
        : { ...s, phase: to, id: context.stepId(to, s.id.slice(s.id.indexOf(':') + 1)) },
    ),
    requires: requires ? { ...later, [to]: requires } : later,
  };
}

export function plan(options: PlanOptions): Planned {
  const { source, schema } = options;
  const created = new CreatedHere();
  const used = new Map<string, number>();
  // names of the objects the plan builds beside the originals (copies of indexes and constraints)
  const claimed = new Set<string>();
  const outputs: RecipeOutput[] = [];
  const refusals: Refusal[] = [];
  // the batched UPDATEs so far, by the columns they set, for a later SET NOT NULL to fill with again
  const fills: Array<{ table: string; columns: string[]; backfill: Backfill }> = [];
  // the tables an UPDATE, DELETE or INSERT so far changes in the backfill phase
  const dataChanged = new Set<string>();
  // each data change so far: the table it writes, those it reads, the columns it mentions, its line
  const dataReads: Array<{ table: string; reads: Set<string>; columns: Set<string>; line: number }> = [];
  // the whole migration first: which names it frees and takes again
  const statements = source.statements.map((statement) => ({
    statement,
    changes: inPassOrder(statement, normalizeStatement(statement)),
  }));
  const all = statements.flatMap((s) => s.changes.map(([change]) => change));
  // a DROP TABLE IF EXISTS of a table neither the starting schema nor an earlier change has drops
  // nothing: it frees no name for a CREATE TABLE after it
  const made = new Set<string>();
  const reuses = reusedNames(
    all,
    (change) => {
      if (change.kind === 'create-table' || change.kind === 'create-table-as') made.add(qkey(change.table));
      return change.kind === 'drop-table' && !made.has(qkey(change.table)) && existing(change, schema);
    },
    (change) => {
      if (change.kind !== 'drop-constraint' && change.kind !== 'rename-constraint') return false;
      const kind = schema.table(change.table)?.constraints.get(change.name)?.kind;
      return kind !== undefined && INDEXED_CONSTRAINTS.has(kind);
    },
  );
  // the phase of the data changes on tables the migration does not create, batched in the backfill
  const createdTables = new Set(
    all.flatMap((c) => (c.kind === 'create-table' || c.kind === 'create-table-as' ? [qkey(c.table)] : [])),
  );
  const session: PhaseName = all.some((c) => c.kind === 'data-change' && !createdTables.has(qkey(c.table)))
    ? 'backfill'
    : 'expand';
  // the latest phase the statements so far go into
  let latest: PhaseName = 'expand';
  // the tables whose changes so far finish in contract (which names them as they are named now), and the names replaced so far
  const finishedInContract = new Set<string>();
  const readInBackfill = new Set<string>();
  const replaced = new Set<string>();
  const temporary = new Set(
    statements.flatMap(({ statement }) => temporaryTable(statement) ?? []).map((t) => qkey(t.table)),
  );
  const deferred = new Map<string, DeferredDrop>();
  // columns replaced by a copy that takes the name in contract, and columns added by this migration
  const replacedColumns = new Set<string>();
  const newColumns = new Set<string>();
  // tables whose unique or primary keys this migration drops (in contract), and the columns of the primary keys
  const keysDropped = new Set<string>();
  const primaryKeyDropped = new Set<string>();
  const columnKey = (table: QName, column: string) => `${qkey(table)}\u0000${column}`;
  let position = -1;

  for (const { statement, changes } of statements) {
    if (managed(changes.map(([change]) => change))) {
      position += changes.length;
      continue;
    }
    const context: RecipeContext = {
      schema,
      pgVersion: options.pgVersion,
      statement,
      isNewTable: (table: QName) => created.isNewTable(table),
      isNewObject: (name: QName) => created.isNewObject(name),
      stepId: (phase, what) => {
        const base = `${phase}:${what}`;
        const n = (used.get(base) ?? 0) + 1;
        used.set(base, n);
        return n === 1 ? base : `${base}#${n}`;
      },
      claim: (schema, name) => {
        const key = qkey({ schema, name });
        if (claimed.has(key)) return false;
        claimed.add(key);
        return true;
      },
      fillOf: (table: QName, column: string) =>
        fills.filter((f) => f.table === qkey(table) && f.columns.includes(column)).pop()?.backfill,
      isNewColumn: (table, column) => newColumns.has(columnKey(table, column)),
      inDroppedPrimaryKey: (table, column) => primaryKeyDropped.has(columnKey(table, column)),
      replacesColumn: (table, column) => void replacedColumns.add(columnKey(table, column)),
      carry: (what, table, carrier) => {
        for (const drop of deferred.values()) {
          if (drop.carrier || !drop.dependsOn.has(carryKey(what, table))) continue;
          carrier.sql = `${drop.sql};\n${carrier.sql}`;
          drop.carrier = carrier;
        }
      },
    };
    // a DO block is kept as written, in one step: what its body removes or renames would break the old version
    const destroys = statement.node.DoStmt ? readStatement(statement).filter((c) => classify(c) === 'destructive') : [];
    // the as-written changes of a statement that cannot be split share one step, undone in reverse
    let whole: Step | undefined;
    let recipes = 0;
    changes.forEach(([change, i]) => {
      position++;
      const table =
        changeTable(change) ??
        (change.kind === 'drop-object' || change.kind === 'column-comment' ? change.table : undefined);
      const onNewTable = table !== undefined && created.isNewTable(table);
      const sql = changeSql(statement, changes.length, i);
      const freed = reuses.byDrop.get(position) ?? [];
      const taken = reuses.byCreate.get(position);
      const noOp = existing(change, schema);
      const apply = () => {
        const key = droppedKey(change, schema);
        if (key && !onNewTable) {
          keysDropped.add(qkey(key.table));
          if (key.primary) for (const column of key.columns) primaryKeyDropped.add(columnKey(key.table, column));
        }
        created.track(change, schema);
        if (change.kind === 'add-column' && !onNewTable) newColumns.add(columnKey(change.table, change.column.name));
        schema.apply(change);
      };
      // records the refusal; true when the change is placed anyway (--allow-unsafe)
      const placedAnyway = (refused: Refused): boolean => {
        // the changes of one statement often share a reason (a table the schema lacks): it is said once
        if (!refusals.some((r) => r.location === statement.location && r.reason === refused.reason))
          refusals.push({ reason: refused.reason, phase: refused.phase, location: statement.location });
        return options.allowUnsafe;
      };
      const again = freed.some((reuse) => replaced.has(reuse.key));
      if (again) {
        const refused = refuse(
          `this statement drops a name that this migration already dropped and created again, and pgphase plans one replacement of a name per migration: keep only the last creation, or make the second replacement a migration of its own`,
          'contract',
        );
        if (!placedAnyway(refused)) {
          apply();
          return;
        }
      }
      // a drop of a name a drop before it freed (IF EXISTS, or the migration fails: an index its key's constraint took
      // with it) drops nothing: when that drop waits for a replacement, it goes with it, where it drops nothing either
      const pending = DEFERRABLE.has(change.kind)
        ? freedNames(change, false)
            .map((key) => deferred.get(key))
            .find((drop) => drop !== undefined && !drop.carrier)
        : undefined;
      const alongside = pending && dropSql(change, sql);
      if (pending && alongside !== undefined) {
        pending.sql = `${pending.sql};\n${alongside}`;
        apply();
        return;
      }
      // a drop whose name is taken again later waits for its replacement, which runs it in its swap
      if (
        freed.length > 0 &&
        !again &&
        DEFERRABLE.has(change.kind) &&
        !onNewTable &&
        !(change.kind === 'drop-object' && created.isNewObject(change.name))
      ) {
        const drop = dropSql(change, sql);
        if (drop === undefined) {
          placedAnyway(
            refuse(
              'this statement drops an object that the migration creates again and other objects with it; write that drop as a statement of its own',
              'contract',
            ),
          );
        } else {
          // under each name it frees that is taken again: the first creation runs it, the others come after
          const deferredDrop: DeferredDrop = {
            sql: drop,
            cascade: 'cascade' in change && change.cascade,
            dependsOn: dependencies(change, schema),
            shared: freed.length > 1,
          };
          for (const reuse of freed) deferred.set(reuse.key, deferredDrop);
          apply();
          return;
        }
      }
      const waiting = taken ? deferred.get(taken.key) : undefined;
      if (taken) deferred.delete(taken.key);
      // a name renamed away: the rename plans its own steps, the new object only has to wait for them
      const freedBy = taken && !onNewTable ? all[taken.drop]! : undefined;
      const renamedAway = freedBy !== undefined && ['rename-column', 'rename-constraint'].includes(freedBy.kind);
      context.replacing = waiting && !waiting.carrier ? { drop: waiting.sql } : renamedAway ? {} : undefined;
      // after a swap it depends on: a column's, or the one that dropped the object it replaces
      // a foreign key binds to the referenced key that exists when it is added: after the migration drops one, in contract
      const referencesDroppedKey =
        change.kind === 'add-constraint' &&
        change.constraint.kind === 'foreign-key' &&
        !onNewTable &&
        keysDropped.has(qkey(change.constraint.references!.table));
      const afterSwap =
        (waiting?.carrier !== undefined && !waiting.shared) ||
        referencesDroppedKey ||
        (table !== undefined && columnsOf(change).some((column) => replacedColumns.has(columnKey(table, column))));
      // built in expand, a unique index would see the rows before the backfill runs the data change written above it (a dedup, say)
      const unique = madeUnique(change);
      const afterData = unique !== undefined && dataChanged.has(qkey(unique)) && !created.isNewTable(unique);
      // a column or table a data change read, dropped: the old version writes it until contract, and what it
      // writes after the data change never reaches what the data change made of it
      const readBefore =
        onNewTable || (change.kind !== 'drop-column' && change.kind !== 'drop-table')
          ? undefined
          : dataReads.find((r) =>
              change.kind === 'drop-column'
                ? (r.table === qkey(change.table) || r.reads.has(qkey(change.table))) && r.columns.has(change.column)
                : r.table !== qkey(change.table) && r.reads.has(qkey(change.table)),
            );
      // what the planner refuses, knowing the migration around the change; else what its recipe makes of it
      let result: RecipeResult;
      if (change.kind === 'drop-not-null' && primaryKeyDropped.has(columnKey(change.table, change.column))) {
        result = refuse(
          `${quoteIdent(change.column)} is in the primary key this migration drops: its NOT NULL can only go after that key, in contract, and until then the new version cannot write a row without it; swap the primary key in a migration of its own, and drop NOT NULL in a later one`,
          'contract',
        );
      } else if (destroys.length) {
        result = refuse(
          `this DO block runs ${[...new Set(destroys.map((c) => c.kind.replace(/-/g, ' ')))].join(', ')}, which the old version would not survive and a plan cannot move out of the block into contract: write ${destroys.length === 1 ? 'it as a statement' : 'them as statements'} of ${destroys.length === 1 ? 'its' : 'their'} own`,
          'contract',
        );
      } else if (readBefore && (change.kind === 'drop-column' || change.kind === 'drop-table')) {
        const model = schema.table(change.table);
        const t = model ? quoteQualified(model) : quoteQName(change.table);
        const what = change.kind === 'drop-column' ? `${t}.${quoteIdent(change.column)}` : t;
        result = refuse(
          `${what} is read by the data change at line ${readBefore.line}, which the plan runs before contract while the old version still writes ${change.kind === 'drop-column' ? 'the column' : 'the table'}: what it writes after that would never reach what the data change made of it before contract drops it; ${change.kind === 'drop-column' ? 'if the new column holds the same values, RENAME the column instead (planned with a trigger that keeps both in step), else drop it in a later release' : 'RENAME the table instead if the copy holds the same rows (planned with a view under the old name), else drop it in a later release'}`,
          'contract',
        );
      } else if (change.kind === 'rename-table' && finishedInContract.has(qkey(change.table))) {
        result = refuse(
          `${quoteQName(change.table)} is renamed after changes to it that the plan finishes in contract under its old name; rename it in a migration of its own, after this one`,
          'expand',
        );
      } else if (
        // a rename of a type, view or function stays in contract, in the migration's order, after what freed its name
        freedBy &&
        !waiting &&
        !renamedAway &&
        change.kind !== 'rename-object' &&
        !(freedBy.kind === 'drop-object' && created.isNewObject(freedBy.name))
      ) {
        result = refuse(
          `${describeName(change)} is dropped earlier in this migration and created again: the old version uses the old one until contract, the new version the new one, and pgphase does not plan that replacement; create it under another name, or drop the old one in a migration of its own`,
          'contract',
        );
      } else if (
        (change.kind === 'create-table' || change.kind === 'create-table-as') &&
        temporaryTable(statement)?.onCommitDrop
      ) {
        result = refuse(
          `${quoteQName(change.table)} is dropped when the transaction that creates it commits, and a plan commits each step and each batch: create it without ON COMMIT DROP (a temporary table ends with the session) and drop it at the end`,
          'expand',
        );
      } else if (afterSwap && (change.kind === 'alter-column-type' || change.kind === 'rename-column')) {
        result = refuse(
          `${quoteQName(table!)}.${quoteIdent(columnsOf(change)[0]!)} is replaced by a new column earlier in this migration; change it again in a migration of its own`,
          'contract',
        );
      } else result = noOp ? undefined : recipe(change, context);
      // a name a drop freed with another (a key's constraint and its index), taken again after the other was: its
      // contract steps join the step that ran the drop, under its ACCESS EXCLUSIVE lock, where one short statement may go
      const joining =
        waiting?.shared && waiting.carrier && result && !isRefused(result)
          ? result.steps.filter((s) => s.phase === 'contract')
          : [];
      if (joining.length > 1 || joining.some((s) => !s.transactional))
        result = refuse(
          `${describeName(change)} takes again a name that the drop earlier in this migration frees with another, and pgphase runs it in the step of that drop, which holds an ACCESS EXCLUSIVE lock: this change needs steps of its own there (a primary key's columns set NOT NULL, a scan); make those columns NOT NULL in a migration before this one`,
          'contract',
        );
      let output: RecipeOutput | undefined;
      if (isRefused(result)) {
        if (!placedAnyway(result)) {
          apply();
          return;
        }
        const unsafe = waiting ? `${waiting.sql};\n${sql ?? statement.text}` : (sql ?? statement.text);
        output = {
          steps: [step(context, result.phase, 'unsafe', unsafe)],
          backfills: [],
          checks: [],
          requires: {},
          notes: [],
        };
      } else output = result;
      if (output) recipes++;
      else if (waiting?.carrier && sql !== undefined) {
        // created again in the step that dropped it: nothing in between sees it missing
        waiting.carrier.sql = `${waiting.carrier.sql};\n${sql}`;
      } else {
        // the undo of a statement that does nothing does nothing too: the statement again, not a drop of what was there
        const down = noOp ? (sql ?? statement.text) : context.replacing ? undefined : inverseOf(change, schema);
        if (sql === undefined && whole)
          whole.down = whole.down !== undefined && down !== undefined ? `${down};\n${whole.down}` : undefined;
        else {
          const stepOptions = {
            transactional: nonTransactional(change, options.pgVersion) === undefined,
            ...(down !== undefined && { down }),
          };
          // a replaced object is dropped and created again in one transaction: nothing sees it missing
          const written =
            waiting && !waiting.carrier ? `${waiting.sql};\n${sql ?? statement.text}` : (sql ?? statement.text);
          // a CHECK dropped relaxes what rows may hold: gone in expand, before the new version writes what it forbade;
          // so does a nullable column's default dropped (a row that omits it gets NULL, as after the migration as
          // written), before a foreign key the migration adds checks the rows that get the old one
          const relaxes =
            (change.kind === 'drop-constraint' &&
              schema.table(change.table)?.constraints.get(change.name)?.kind === 'check') ||
            (change.kind === 'drop-default' && schema.column(change.table, change.column)?.notNull === false);
          // a statement that does nothing keeps its place among the others (a DROP TABLE IF EXISTS of no table
          // stays before the CREATE TABLE after it)
          const phase = noOp
            ? latest
            : relaxes && !afterSwap && !waiting
              ? 'expand'
              : afterSwap || waiting?.cascade
                ? 'contract'
                : phaseOf(change, { isNew: context.isNewTable, temporary, session, latest, readInBackfill });
          const made = step(context, phase, `as-written-${statement.index + 1}`, written, stepOptions);
          if (sql === undefined) whole = made;
          output = { steps: [made], backfills: [], checks: [], requires: {}, notes: [] };
        }
      }
      if (output && afterSwap) output = movedTo('contract', output, context);
      else if (output && afterData) {
        output = movedTo('backfill', output, context);
        const named =
          change.kind === 'create-index'
            ? change.index.name
            : change.kind === 'add-constraint'
              ? constraintName(unique!.name, change.constraint)
              : undefined;
        const built = `the ${change.kind === 'create-index' ? 'unique index' : 'key'}${named ? ` ${quoteIdent(named)}` : ''}`;
        const what = `the new version, which must work without ${built} on ${quoteQName(unique!)} until the backfill builds it after the data change written above it`;
        output.requires.backfill = output.requires.backfill ? `${output.requires.backfill}; ${what}` : what;
      }
      // the step that runs the drop this creation waited for: a creation of another name it freed joins it
      if (waiting && !waiting.carrier) waiting.carrier = output?.steps.find((s) => s.sql.includes(waiting.sql));
      else if (waiting?.shared && waiting.carrier && output) {
        // its contract step, in that step: nothing in between sees the object missing (its steps before contract stay)
        const [last] = output.steps.filter((s) => s.phase === 'contract');
        if (waiting.carrier.phase !== 'contract') output = movedTo('contract', output, context);
        else if (last) {
          waiting.carrier.sql = `${waiting.carrier.sql};\n${last.sql}`;
          output = { ...output, steps: output.steps.filter((s) => s !== last) };
        }
      }
      if (output) outputs.push(output);
      if (table && output?.steps.some((s) => s.phase === 'contract')) finishedInContract.add(qkey(table));
      if (taken) replaced.add(taken.key);
      for (const b of output?.backfills ?? []) withTriggers(schema, b);
      for (const phase of [
        ...(output?.steps.map((s) => s.phase) ?? []),
        ...(output?.backfills.length ? ['backfill' as const] : []),
      ]) {
        if (PHASES.indexOf(phase) > PHASES.indexOf(latest)) latest = phase;
      }
      if (output && change.kind === 'data-change') {
        dataChanged.add(qkey(change.table));
        if (output.backfills.length) for (const read of [change.table, ...change.reads]) readInBackfill.add(qkey(read));
        dataReads.push({
          table: qkey(change.table),
          reads: new Set(change.reads.map(qkey)),
          columns: new Set(columnRefs(statement.node)),
          line: statement.location.line,
        });
        for (const b of output.backfills)
          if (b.set) fills.push({ table: qkey(b.table), columns: change.setColumns, backfill: b });
      }
      apply();
    });
    if (whole && recipes > 0) {
      refusals.push({
        reason: 'this statement mixes changes that go into different phases; write them as separate statements',
        phase: 'expand',
        location: statement.location,
      });
    }
  }

  const phases: PlannedPhase[] = [];
  for (const name of PHASES) {
    // the work of a phase keeps the migration's order, and a recipe's backfills run before its own
    // steps of the phase (which validate what they fill): the UPDATE that fixes the rows before the
    // VALIDATE of a constraint written after it
    const steps: Step[] = [];
    const backfills: PlacedBackfill[] = [];
    for (const o of outputs) {
      if (name === 'backfill') for (const b of o.backfills) backfills.push({ ...b, afterSteps: steps.length });
      for (const s of o.steps) if (s.phase === name) steps.push(s);
    }
    if (steps.length === 0 && backfills.length === 0) continue;
    const requires = [...new Set(outputs.flatMap((o) => (o.requires[name] ? [o.requires[name]!] : [])))].join('; ');
    phases.push(requires ? { name, steps, backfills, requires } : { name, steps, backfills });
  }
  return {
    phases,
    checks: outputs.flatMap((o) => o.checks),
    notes: [...new Set(outputs.flatMap((o) => o.notes))],
    refusals,
  };
}
