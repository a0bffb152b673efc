// The typed changes that rules, the schema model and the planner work on. One SQL
// statement yields one or more changes (an ALTER TABLE with five sub-commands is five
// changes sharing one statement); nothing downstream touches the raw AST.
import { qkey, type QName } from './names.js';
import type { SchemaModel } from '../schema/model.js';

export type ChangeClass = 'additive' | 'destructive' | 'data' | 'neutral';

/** Strength order used to give a statement or a file the strongest class among its changes. */
export const CLASS_STRENGTH: Record<ChangeClass, number> = { neutral: 0, additive: 1, data: 2, destructive: 3 };

export function strongest(classes: Iterable<ChangeClass>): ChangeClass {
  let best: ChangeClass = 'neutral';
  for (const c of classes) if (CLASS_STRENGTH[c] > CLASS_STRENGTH[best]) best = c;
  return best;
}

/** A column type as written: canonical base name (`int4`, `varchar`, `text`, `my_enum`), modifiers, array. */
export interface TypeRef {
  schema?: string;
  name: string;
  mods: Array<number | string>;
  array: boolean;
  /** For messages: the type as PostgreSQL prints it, e.g. `varchar(20)`, `bigint[]`. */
  display: string;
}

/** An expression from the migration: its AST node and its source text. */
export interface Expr {
  node: Record<string, any>;
  text: string;
}

export interface ColumnSpec {
  name: string;
  /** Byte offset of the column's name in the file, for findings about this column. */
  at?: number;
  type: TypeRef;
  notNull: boolean;
  default?: Expr;
  collation?: string;
  generated?: { kind: 'stored' | 'virtual'; expr: Expr };
  identity?: 'always' | 'by-default';
  /** Column constraints other than NOT NULL / DEFAULT (PK, UNIQUE, CHECK, FK) as table constraints. */
  constraints: ConstraintSpec[];
}

export type ConstraintKind = 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclusion' | 'not-null';

export type FkAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface ConstraintSpec {
  kind: ConstraintKind;
  name?: string;
  columns: string[];
  /** `NOT VALID`: existing rows are not checked now. */
  notValid: boolean;
  /** `… USING INDEX name` for unique / primary key. */
  usingIndex?: string;
  /** INCLUDE columns of a unique / primary key: PostgreSQL names an unnamed key after them too. */
  including?: string[];
  expr?: Expr;
  references?: { table: QName; columns: string[]; onDelete: FkAction; onUpdate: FkAction };
}

export interface IndexSpec {
  name?: string;
  table: QName;
  unique: boolean;
  /** Key columns; an expression element is given as `null`. */
  columns: Array<string | null>;
  /** The key elements as parsed (IndexElem nodes: column or expression, opclass, order, collation). */
  elements: Array<Record<string, any>>;
  /** INCLUDE elements (IndexElem nodes). */
  include: Array<Record<string, any>>;
  /** `ON ONLY` a partitioned table: an empty, invalid index on the parent, built on no rows. */
  only: boolean;
  method: string;
  where?: Expr;
}

interface Base {
  /** Index of the statement in its file. */
  statement: number;
}

export type ObjectType =
  | 'schema'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'procedure'
  | 'sequence'
  | 'type'
  | 'domain'
  | 'trigger'
  | 'extension'
  | 'index'
  | 'table'
  | 'policy'
  | 'rule'
  | 'aggregate'
  | 'collation'
  | 'other';

/** Objects the application itself queries by name: renaming or dropping one breaks it. */
export const APPLICATION_OBJECTS: ReadonlySet<ObjectType> = new Set([
  'schema',
  'view',
  'materialized view',
  'function',
  'procedure',
  'sequence',
  'type',
  'domain',
]);

/** The columns a change gives a type: new tables' and columns', and type changes. */
export function typedColumns(change: Change): Array<{ column: string; type: TypeRef; at?: number }> {
  if (change.kind === 'create-table') return change.columns.map((c) => ({ column: c.name, type: c.type, ...(c.at !== undefined && { at: c.at }) }));
  if (change.kind === 'add-column') return [{ column: change.column.name, type: change.column.type, ...(change.column.at !== undefined && { at: change.column.at }) }];
  if (change.kind === 'alter-column-type') return [{ column: change.column, type: change.type, ...(change.at !== undefined && { at: change.at }) }];
  return [];
}

/** The name a change creates (a create, or a rename's new name), if it creates one. */
export function createdName(change: Change): QName | undefined {
  switch (change.kind) {
    case 'create-object':
    case 'create-domain':
      return change.name;
    case 'create-enum':
      return change.type;
    case 'rename-object':
      return { ...change.name, name: change.newName };
    default:
      return undefined;
  }
}

export type Change = Base &
  (
    | {
        kind: 'create-table';
        table: QName;
        columns: ColumnSpec[];
        constraints: ConstraintSpec[];
        ifNotExists: boolean;
        temporary: boolean;
        /** `PARTITION OF parent`: the new table is a partition of an existing one. */
        partitionOf?: QName;
        /** `LIKE other` or `INHERITS (parent)`: the table has columns that `columns` does not list. */
        copiesColumns?: true;
      }
    | { kind: 'create-table-as'; table: QName; withData: boolean; ifNotExists: boolean }
    | { kind: 'drop-table'; table: QName; ifExists: boolean; cascade: boolean }
    | { kind: 'rename-table'; table: QName; newName: string }
    | { kind: 'add-column'; table: QName; column: ColumnSpec; ifNotExists: boolean }
    | { kind: 'drop-column'; table: QName; column: string; ifExists: boolean; cascade: boolean }
    | { kind: 'rename-column'; table: QName; column: string; newName: string }
    | { kind: 'alter-column-type'; table: QName; column: string; type: TypeRef; using?: Expr; collation?: string; at?: number }
    | { kind: 'set-not-null'; table: QName; column: string }
    | { kind: 'drop-not-null'; table: QName; column: string }
    | { kind: 'set-default'; table: QName; column: string; default: Expr }
    | { kind: 'add-identity'; table: QName; column: string; identity: 'always' | 'by-default' }
    | { kind: 'drop-default'; table: QName; column: string }
    | { kind: 'add-constraint'; table: QName; constraint: ConstraintSpec }
    | { kind: 'validate-constraint'; table: QName; name: string }
    | { kind: 'drop-constraint'; table: QName; name: string; ifExists: boolean; cascade: boolean }
    | { kind: 'rename-constraint'; table: QName; name: string; newName: string }
    | { kind: 'create-index'; index: IndexSpec; concurrently: boolean; ifNotExists: boolean }
    | { kind: 'drop-index'; index: QName; concurrently: boolean; ifExists: boolean; cascade: boolean }
    | { kind: 'reindex'; targetKind: 'index' | 'table' | 'schema' | 'database' | 'system'; target: QName | undefined; concurrently: boolean }
    | { kind: 'create-enum'; type: QName; values: string[] }
    /** `neighbor`: BEFORE or AFTER which existing value; at the end without one. */
    | { kind: 'enum-add-value'; type: QName; value: string; neighbor?: { value: string; after: boolean } }
    | { kind: 'enum-rename-value'; type: QName; value: string; newValue: string }
    | {
        kind: 'create-object';
        objectType: ObjectType;
        name: QName;
        orReplace: boolean;
        ifNotExists: boolean;
        table?: QName;
        /** The tables and views a view or materialized view reads. */
        reads?: QName[];
        returnsTrigger?: boolean;
        /** A function's return type, as a fingerprint (normalize.ts): CREATE OR REPLACE cannot change it. */
        returns?: string;
        /** What the statement defines, as a fingerprint (normalize.ts), OR REPLACE left out. */
        definition?: string;
        /** A constraint trigger, which CREATE OR REPLACE cannot replace. */
        constraintTrigger?: boolean;
        /** A trigger's events (pg_trigger.tgtype's bits: 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE) and its UPDATE OF columns. */
        trigger?: { events: number; columns: string[] };
      }
    | { kind: 'rename-object'; objectType: ObjectType; name: QName; newName: string }
    /** `table` for objects that live on a table (trigger, policy, rule). */
    | { kind: 'drop-object'; objectType: ObjectType; name: QName; ifExists: boolean; cascade: boolean; table?: QName }
    | { kind: 'create-domain'; name: QName; hasCheck: boolean }
    | { kind: 'alter-domain-add-constraint'; name: QName; notValid: boolean }
    | { kind: 'alter-domain-validate-constraint'; name: QName; constraint: string }
    | { kind: 'data-change'; op: 'update' | 'delete' | 'insert' | 'merge'; table: QName; where?: Expr; fromSelect: boolean; reads: QName[]; setColumns: string[] }
    | { kind: 'truncate'; table: QName; cascade: boolean }
    | { kind: 'set'; name: string; value: string | undefined; local: boolean }
    | { kind: 'transaction'; op: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' }
    | { kind: 'lock-table'; table: QName; mode: string }
    | { kind: 'table-rewrite'; table: QName; how: 'vacuum full' | 'cluster' | 'set tablespace' | 'set logged' | 'set unlogged' | 'set access method' }
    | { kind: 'refresh-matview'; view: QName; concurrently: boolean }
    | { kind: 'detach-partition'; table: QName; partition: QName; concurrently: boolean }
    | { kind: 'attach-partition'; table: QName; partition: QName }
    | { kind: 'comment'; target: string }
    /** COMMENT ON COLUMN: kept in the schema model, so a copied column keeps it. */
    | { kind: 'column-comment'; table: QName; column: string; text: string | undefined }
    /** A table-level ALTER sub-command with no bearing on compatibility (owner, storage options, triggers …). */
    | { kind: 'alter-table-other'; table: QName; subtype: string }
    | { kind: 'other'; node: string }
  );

export type ChangeKind = Change['kind'];
export type ChangeOf<K extends ChangeKind> = Extract<Change, { kind: K }>;

/**
 * The class of a change (CLI.md): destructive breaks N-1 code or deletes data and
 * belongs in contract; data rewrites rows and belongs in a backfill; additive is
 * safe for N-1 and N; neutral changes no schema or data.
 */
export function classify(change: Change): ChangeClass {
  switch (change.kind) {
    case 'drop-table':
    case 'rename-table':
    case 'drop-column':
    case 'rename-column':
    case 'alter-column-type':
    case 'set-not-null':
    case 'drop-default':
    case 'drop-constraint':
    case 'rename-constraint':
    case 'drop-index':
    case 'enum-rename-value':
    case 'rename-object':
    case 'drop-object':
    case 'truncate':
    case 'detach-partition':
      return 'destructive';
    case 'add-constraint':
      // PostgreSQL 18's ADD CONSTRAINT … NOT NULL is a SET NOT NULL
      return change.constraint.kind === 'not-null' ? 'destructive' : 'additive';
    case 'data-change':
    case 'validate-constraint':
    case 'alter-domain-validate-constraint':
      return 'data';
    case 'create-table':
    case 'create-table-as':
    case 'add-column':
    case 'drop-not-null':
    case 'set-default':
    case 'add-identity':
    case 'create-index':
    case 'create-enum':
    case 'enum-add-value':
    case 'create-object':
    case 'create-domain':
    case 'alter-domain-add-constraint':
    case 'attach-partition':
      return 'additive';
    case 'reindex':
    case 'set':
    case 'transaction':
    case 'lock-table':
    case 'table-rewrite':
    case 'refresh-matview':
    case 'comment':
    case 'column-comment':
    case 'alter-table-other':
    case 'other':
      return 'neutral';
  }
}

/** The table a change alters, if it alters one. */
export function changeTable(change: Change): QName | undefined {
  switch (change.kind) {
    case 'create-index':
      return change.index.table;
    case 'create-table':
    case 'drop-table':
    case 'rename-table':
    case 'add-column':
    case 'drop-column':
    case 'rename-column':
    case 'alter-column-type':
    case 'set-not-null':
    case 'drop-not-null':
    case 'set-default':
    case 'drop-default':
    case 'add-identity':
    case 'add-constraint':
    case 'validate-constraint':
    case 'drop-constraint':
    case 'rename-constraint':
    case 'data-change':
    case 'truncate':
    case 'lock-table':
    case 'table-rewrite':
    case 'detach-partition':
    case 'attach-partition':
    case 'alter-table-other':
    case 'create-table-as':
      return change.table;
    default:
      return undefined;
  }
}

/** The column a validated or unvalidated `CHECK (column IS NOT NULL)` is about. */
export function notNullCheckColumn(c: Pick<ConstraintSpec, 'kind' | 'expr'>): string | undefined {
  const test = c.expr?.node.NullTest;
  if (c.kind !== 'check' || test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = test.arg?.ColumnRef?.fields ?? [];
  return fields[fields.length - 1]?.String?.sval;
}

/** What a change does that PostgreSQL refuses inside a transaction block, if anything. */
export function nonTransactional(change: Change, pgVersion: number): string | undefined {
  switch (change.kind) {
    case 'create-index':
      return change.concurrently ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'drop-index':
      return change.concurrently ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'reindex':
      return change.concurrently ? 'REINDEX CONCURRENTLY' : undefined;
    case 'detach-partition':
      return change.concurrently ? 'DETACH PARTITION CONCURRENTLY' : undefined;
    case 'enum-add-value':
      return pgVersion < 12 ? 'ALTER TYPE … ADD VALUE' : undefined;
    default:
      return undefined;
  }
}

/**
 * What a migration has created so far. A table created earlier in the same migration has no
 * traffic and no rows; a column added there, or an object (view, type, function …) created or
 * renamed there, has no user in the running version, which cannot use what did not exist before
 * the migration. A name the migration vacated (dropped, or renamed away) is in use by the running
 * version, so whatever takes that name later is not new to it.
 */
export class CreatedHere {
  private readonly tables = new Set<string>();
  private readonly objects = new Set<string>();
  private readonly columns = new Set<string>();
  private readonly vacatedObjects = new Set<string>();
  private readonly vacatedColumns = new Set<string>();

  isNewTable(table: QName): boolean {
    return this.tables.has(qkey(table));
  }

  isNewObject(name: QName): boolean {
    return this.objects.has(qkey(name));
  }

  /** A column added to an existing table earlier in this migration (under this name). */
  isNewColumn(table: QName, column: string): boolean {
    return this.columns.has(columnKey(table, column));
  }

  /**
   * Notes what a change creates; call in migration order, before the change is applied to
   * `before`, the schema model of the earlier migrations and this one so far.
   */
  track(change: Change, before: SchemaModel): void {
    // IF NOT EXISTS on an object an earlier migration created leaves that one, with its rows and traffic
    if ('ifNotExists' in change && change.ifNotExists && known(change, before)) return;
    switch (change.kind) {
      case 'create-table':
      case 'create-table-as':
        this.tables.add(qkey(change.table));
        return;
      case 'rename-table':
        if (this.isNewTable(change.table)) this.tables.add(qkey({ ...change.table, name: change.newName }));
        return;
      case 'create-object':
        // CREATE OR REPLACE may replace an object the application already uses
        if (!change.orReplace) this.createObject(change.name);
        return;
      case 'create-domain':
        this.createObject(change.name);
        return;
      case 'create-enum':
        this.createObject(change.type);
        return;
      case 'rename-object': {
        const from = qkey(change.name);
        if (!this.objects.delete(from)) this.vacatedObjects.add(from);
        this.createObject({ ...change.name, name: change.newName });
        return;
      }
      case 'drop-object':
        if (!this.objects.delete(qkey(change.name))) this.vacatedObjects.add(qkey(change.name));
        return;
      case 'add-column':
        if (!this.isNewTable(change.table) && !this.vacatedColumns.has(columnKey(change.table, change.column.name))) this.columns.add(columnKey(change.table, change.column.name));
        return;
      case 'rename-column': {
        const from = columnKey(change.table, change.column);
        const to = columnKey(change.table, change.newName);
        if (!this.columns.delete(from)) this.vacatedColumns.add(from);
        else if (!this.vacatedColumns.has(to)) this.columns.add(to);
        return;
      }
      case 'drop-column':
        if (!this.columns.delete(columnKey(change.table, change.column))) this.vacatedColumns.add(columnKey(change.table, change.column));
        return;
      default:
        return;
    }
  }

  /** An object under a name nothing had, or one this migration vacated (which the running version uses). */
  private createObject(name: QName): void {
    if (!this.vacatedObjects.has(qkey(name))) this.objects.add(qkey(name));
  }
}

function columnKey(table: QName, column: string): string {
  return `${qkey(table)}\u0000${column}`;
}

/** Whether the schema model already has the table, view or column a create would make (it does not track other objects). */
export function known(change: Change, schema: SchemaModel): boolean {
  if (change.kind === 'create-table' || change.kind === 'create-table-as') return schema.table(change.table) !== undefined;
  if (change.kind === 'add-column') return schema.column(change.table, change.column.name) !== undefined;
  if (change.kind === 'create-object' && (change.objectType === 'view' || change.objectType === 'materialized view')) return schema.views.has(qkey(change.name));
  return false;
}
