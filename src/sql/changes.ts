// The typed changes that rules, the schema model and the planner work on. One SQL
// statement yields one or more changes (an ALTER TABLE with five sub-commands is five
// changes sharing one statement); nothing downstream touches the raw AST.
import type { ConstraintKind, QName } from './names.js';
import type { PgNode } from './source.js';

export type ChangeClass = 'additive' | 'destructive' | 'data' | 'neutral';

/** Strength order used to give a statement or a file the strongest class among its changes. */
export const CLASS_STRENGTH: Record<ChangeClass, number> = { neutral: 0, additive: 1, data: 2, destructive: 3 };

export function strongest(classes: readonly ChangeClass[]): ChangeClass {
  let best: ChangeClass = 'neutral';
  // the best's strength kept, not looked up again for each class (a keyed load in baseline code)
  let bestStrength = 0;
  for (let i = 0; i < classes.length; i++) {
    const strength = CLASS_STRENGTH[classes[i]!];
    if (strength > bestStrength) {
      best = classes[i]!;
      bestStrength = strength;
    }
  }
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
  readonly node: PgNode;
  readonly text: string;
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
  /** Of a unique / primary key, as written: DEFERRABLE [INITIALLY DEFERRED], NULLS NOT DISTINCT (PostgreSQL 15),
   *  and whether its index has storage parameters or a tablespace. */
  deferrable?: boolean;
  initiallyDeferred?: boolean;
  nullsNotDistinct?: boolean;
  indexOptions?: boolean;
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
  elements: Array<PgNode>;
  /** INCLUDE elements (IndexElem nodes). */
  include: Array<PgNode>;
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

/** A column given a type, and where its name is written when that is known. */
export interface TypedColumn {
  column: string;
  type: TypeRef;
  at?: number;
}

/** The columns a change gives a type: new tables' and columns', and type changes. */
export function typedColumns(change: Change): readonly TypedColumn[] {
  const typed: TypedColumn[] = [];
  if (change.kind === 'create-table') {
    // indexed loop: no closure per call, in code V8 does not optimize (bin/pgphase.cjs)
    for (let i = 0; i < change.columns.length; i++) {
      const c = change.columns[i]!;
      typed.push(typedColumn(c.name, c.type, c.at));
    }
  } else if (change.kind === 'add-column')
    typed.push(typedColumn(change.column.name, change.column.type, change.column.at));
  else if (change.kind === 'alter-column-type') typed.push(typedColumn(change.column, change.type, change.at));
  return typed;
}

function typedColumn(column: string, type: TypeRef, at: number | undefined): TypedColumn {
  // one literal each, not a property added after: a store that changes an object's shape is slow in baseline code
  return at === undefined ? { column, type } : { column, type, at };
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

/** A definition as a fingerprint (normalize.ts), worked out the first time it is read: a lint
 *  compares none, a plan or a verify a few. */
export interface Fingerprint {
  readonly text: string;
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
        /** `PARTITION BY`: the partition key's columns, null for an expression. */
        partitionBy?: Array<string | null>;
        /** `LIKE other` or `INHERITS (parent)`: the table has columns that `columns` does not list. */
        copiesColumns?: true;
      }
    | { kind: 'create-table-as'; table: QName; withData: boolean; ifNotExists: boolean }
    | { kind: 'drop-table'; table: QName; ifExists: boolean; cascade: boolean }
    | { kind: 'rename-table'; table: QName; newName: string }
    | { kind: 'add-column'; table: QName; column: ColumnSpec; ifNotExists: boolean }
    | { kind: 'drop-column'; table: QName; column: string; ifExists: boolean; cascade: boolean }
    | { kind: 'rename-column'; table: QName; column: string; newName: string }
    | {
        kind: 'alter-column-type';
        table: QName;
        column: string;
        type: TypeRef;
        using?: Expr;
        collation?: string;
        at?: number;
      }
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
    | {
        kind: 'reindex';
        targetKind: 'index' | 'table' | 'schema' | 'database' | 'system';
        target: QName | undefined;
        concurrently: boolean;
      }
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
        definition?: Fingerprint;
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
    | {
        kind: 'data-change';
        op: 'update' | 'delete' | 'insert' | 'merge';
        table: QName;
        where?: Expr;
        fromSelect: boolean;
        reads: QName[];
        setColumns: string[];
      }
    | { kind: 'truncate'; table: QName; cascade: boolean }
    | { kind: 'set'; name: string; value: string | undefined; local: boolean }
    | { kind: 'transaction'; op: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' }
    | { kind: 'lock-table'; table: QName; mode: string }
    | {
        kind: 'table-rewrite';
        table: QName;
        how: 'vacuum full' | 'cluster' | 'set tablespace' | 'set logged' | 'set unlogged' | 'set access method';
      }
    | { kind: 'refresh-matview'; view: QName; concurrently: boolean }
    | { kind: 'detach-partition'; table: QName; partition: QName; concurrently: boolean }
    | { kind: 'attach-partition'; table: QName; partition: QName }
    | { kind: 'comment'; target: string }
    /** COMMENT ON COLUMN: kept in the schema model, so a copied column keeps it. */
    | { kind: 'column-comment'; table: QName; column: string; text: string | undefined }
    /** A table-level ALTER sub-command with no bearing on compatibility (owner, storage options, triggers …). */
    | {
        kind: 'alter-table-other';
        table: QName;
        subtype: string /** REPLICA IDENTITY's new setting. */;
        replicaIdentity?: 'default' | 'full' | 'nothing' | 'index';
      }
    /** CREATE, ALTER (add, remove or set tables) and DROP PUBLICATION: which tables logical replication publishes. */
    | {
        kind: 'publication';
        name: string;
        op: 'create' | 'add' | 'remove' | 'set' | 'drop';
        allTables: boolean;
        tables: QName[];
        schemas: string[];
      }
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
  // PostgreSQL 18's ADD CONSTRAINT … NOT NULL is a SET NOT NULL
  if (change.kind === 'add-constraint') return change.constraint.kind === 'not-null' ? 'destructive' : 'additive';
  return CLASS_OF[change.kind];
}

/** The class of each kind of change but ADD CONSTRAINT (see classify): a lookup, not a string
 *  comparison per kind before it, for every change, in code V8 does not optimize (bin/pgphase.cjs). */
const CLASS_OF: Record<Exclude<ChangeKind, 'add-constraint'>, ChangeClass> = {
  'drop-table': 'destructive',
  'rename-table': 'destructive',
  'drop-column': 'destructive',
  'rename-column': 'destructive',
  'alter-column-type': 'destructive',
  'set-not-null': 'destructive',
  'drop-default': 'destructive',
  'drop-constraint': 'destructive',
  'rename-constraint': 'destructive',
  'drop-index': 'destructive',
  'enum-rename-value': 'destructive',
  'rename-object': 'destructive',
  'drop-object': 'destructive',
  truncate: 'destructive',
  'detach-partition': 'destructive',
  'data-change': 'data',
  'validate-constraint': 'data',
  'alter-domain-validate-constraint': 'data',
  'create-table': 'additive',
  'create-table-as': 'additive',
  'add-column': 'additive',
  'drop-not-null': 'additive',
  'set-default': 'additive',
  'add-identity': 'additive',
  'create-index': 'additive',
  'create-enum': 'additive',
  'enum-add-value': 'additive',
  'create-object': 'additive',
  'create-domain': 'additive',
  'alter-domain-add-constraint': 'additive',
  'attach-partition': 'additive',
  reindex: 'neutral',
  set: 'neutral',
  transaction: 'neutral',
  'lock-table': 'neutral',
  'table-rewrite': 'neutral',
  'refresh-matview': 'neutral',
  comment: 'neutral',
  'column-comment': 'neutral',
  'alter-table-other': 'neutral',
  publication: 'neutral',
  other: 'neutral',
};

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

/** The kinds of change nonTransactional() may name: a rule about them is called for no other. */
export const NON_TRANSACTIONAL_KINDS = [
  'create-index',
  'drop-index',
  'reindex',
  'detach-partition',
  'enum-add-value',
] as const satisfies readonly ChangeKind[];

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
