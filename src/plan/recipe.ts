// What a recipe sees, and the helpers recipes share to describe steps.
import type { ChangeKind, ChangeOf } from '../sql/changes.js';
import type { LockMode } from '../sql/locks.js';
import { quoteQualified, type QName } from '../sql/names.js';
import type { Statement } from '../sql/source.js';
import type { SchemaModel, TableModel } from '../schema/model.js';
import { derivedName } from './sql.js';
import type { Backfill, PhaseName, RecipeOutput, Step } from './types.js';

export interface RecipeContext {
  /** The schema before the change. */
  schema: SchemaModel;
  pgVersion: number;
  /** The statement the change comes from, as written. */
  statement: Statement;
  /** Created earlier in this migration: no traffic, no rows. */
  isNewTable(table: QName): boolean;
  /** A type, view, function … created earlier in this migration. */
  isNewObject(name: QName): boolean;
  /** A step id, unique in the plan and the same for the same migration and schema. */
  stepId(phase: PhaseName, what: string): string;
  /** Takes a name for an object the plan builds; false when an earlier change of the plan took it. */
  claim(schema: string, name: string): boolean;
  /** The backfill of an earlier UPDATE in this migration that sets `column` of `table`, if any. */
  fillOf(table: QName, column: string): Backfill | undefined;
  /** A column added earlier in this migration. */
  isNewColumn(table: QName, column: string): boolean;
  /** A column of a primary key that this migration drops earlier: the key, and the column's NOT NULL, stay until contract. */
  inDroppedPrimaryKey(table: QName, column: string): boolean;
  /**
   * Set when the change takes a name that an earlier change of this migration freed: the object is
   * built under a temporary name and swapped in in contract, whose swap runs `drop` (the old
   * object's drop, moved here; undefined when the change that freed the name plans its own).
   */
  replacing?: { drop?: string };
  /** The change replaces the column by a copy that takes its name in contract: later statements about it apply after the swap. */
  replacesColumn(table: QName, column: string): void;
  /**
   * `step` drops columns of `table` (what = columns) or its key (what = key): the objects the
   * migration drops and creates again that depend on them (views reading the table, foreign keys
   * referencing the key) are dropped at the step's start, and created again after it.
   */
  carry(what: 'columns' | 'key', table: QName, step: Step): void;
}

/**
 * A change that cannot be planned safely: why, and the phase its statement goes into as written
 * when planned anyway (--allow-unsafe). Recipes return it; `pgphase plan` refuses unless --allow-unsafe.
 */
export interface Refused {
  kind: 'refused';
  reason: string;
  phase: PhaseName;
}

export function refuse(reason: string, phase: PhaseName): Refused {
  return { kind: 'refused', reason, phase };
}

export function isRefused(value: unknown): value is Refused {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'refused';
}

/** What a recipe makes of a change: its steps, undefined when it needs none (it is safe as written), or why it cannot. */
export type RecipeResult = RecipeOutput | Refused | undefined;

/** A recipe turns one change of its kind into steps. */
export type Recipe<K extends ChangeKind = ChangeKind> = (change: ChangeOf<K>, context: RecipeContext) => RecipeResult;

/** The recipes, one per change kind that has one: each typed for its own kind of change. */
export type Recipes = { [K in ChangeKind]?: Recipe<K> };

export function step(
  context: RecipeContext,
  phase: PhaseName,
  what: string,
  sql: string,
  options: { down?: string; lockMode?: LockMode; transactional?: boolean } = {},
): Step {
  const s: Step = { id: context.stepId(phase, what), phase, sql, transactional: options.transactional ?? true };
  if (options.down !== undefined) s.down = options.down;
  if (options.lockMode !== undefined) s.lockMode = options.lockMode;
  return s;
}

/** The table as the schema model knows it, or a refusal naming what is missing. */
export function knownTable(context: RecipeContext, table: QName): TableModel | Refused {
  return (
    context.schema.table(table) ??
    refuse(
      `table ${quoteQualified(table)} is not in the starting schema: give --history, --schema or --database-url`,
      'expand',
    )
  );
}

/**
 * The temporary name of an object built to replace one of the same name: apart from the names
 * of the copies a column copy makes (`_pgphase`), which may be built beside it.
 */
export function replacementName(name: string): string {
  return derivedName(name, 'pgphase_new');
}

/** The SQL that swaps a replacement in under its name: the old object's drop first, in the same transaction. */
export function swapSql(replacing: NonNullable<RecipeContext['replacing']>, ...statements: string[]): string {
  return [...(replacing.drop !== undefined ? [replacing.drop] : []), ...statements].join(';\n');
}

/**
 * Objects of the schema model in name order: the model keeps them in the order they were made,
 * which differs between a replayed history and a live catalog, and a plan must not.
 */
export function byName<T extends { name: string; schema?: string }>(objects: Iterable<T>): T[] {
  const key = (o: T) => `${o.schema ?? ''}\u0000${o.name}`;
  return [...objects].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}
