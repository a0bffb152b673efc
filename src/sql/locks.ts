// Which lock each change takes on which relation, and whether it rewrites or scans the
// table under that lock (PostgreSQL docs, "Explicit Locking" and "ALTER TABLE").
// Rules and the planner read this; nothing else encodes lock knowledge.
import type { Change, ChangeKind, ChangeOf, ConstraintSpec } from './changes.js';
import type { QName } from './names.js';

/** Every table lock mode, weakest first (each conflicts with at least what the ones before it
 *  conflict with, as far as tables go), numbered as PostgreSQL numbers them from 1. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

export interface LockTaken {
  table: QName;
  mode: LockMode;
}

/** The strongest lock the changes of one statement take on each table, strongest first. */
export function statementLocks(changes: readonly Change[], schema?: LockSchema, pgVersion?: number): LockTaken[] {
  return strongestLocks(changes.flatMap((c) => locksOf(c, schema, pgVersion)));
}

/** Of locks taken, the strongest on each table, strongest first. */
export function strongestLocks(locks: readonly LockTaken[]): LockTaken[] {
  const byTable = new Map<string, LockTaken>();
  for (const lock of locks) {
    const key = `${lock.table.schema ?? ''}.${lock.table.name}`;
    const held = byTable.get(key);
    if (!held || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(held.mode)) byTable.set(key, lock);
  }
  return [...byTable.values()].sort((a, b) => LOCK_MODES.indexOf(b.mode) - LOCK_MODES.indexOf(a.mode));
}

/** Modes that block ordinary reads or writes of the table while held. */
export const TRAFFIC_BLOCKING: ReadonlySet<LockMode> = new Set([
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
]);

/** Modes `missing-lock-timeout` cares about: queueing for them stops every later query on the table. */
export const QUEUE_DANGEROUS: ReadonlySet<LockMode> = new Set(['SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE']);

const ALTER_TABLE_OTHER: Record<string, LockMode> = {
  SetStatistics: 'SHARE UPDATE EXCLUSIVE',
  SetOptions: 'SHARE UPDATE EXCLUSIVE',
  ResetOptions: 'SHARE UPDATE EXCLUSIVE',
  SetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  ResetRelOptions: 'SHARE UPDATE EXCLUSIVE',
  'cluster on': 'SHARE UPDATE EXCLUSIVE',
  DropCluster: 'SHARE UPDATE EXCLUSIVE',
  EnableTrig: 'SHARE ROW EXCLUSIVE',
  EnableAlwaysTrig: 'SHARE ROW EXCLUSIVE',
  EnableReplicaTrig: 'SHARE ROW EXCLUSIVE',
  DisableTrig: 'SHARE ROW EXCLUSIVE',
  EnableTrigAll: 'SHARE ROW EXCLUSIVE',
  DisableTrigAll: 'SHARE ROW EXCLUSIVE',
  EnableTrigUser: 'SHARE ROW EXCLUSIVE',
  DisableTrigUser: 'SHARE ROW EXCLUSIVE',
};

/** A foreign key: its table, name and columns, and the table and columns it references. */
export interface ForeignKey {
  table: QName;
  name: string;
  columns: readonly string[];
  references: { table: QName; columns: readonly string[] };
}

/** What lock knowledge reads of the schema (the schema model answers): the table of an index, and
 *  the foreign keys a table holds or is referenced by, whose triggers live on both tables. */
export interface LockSchema {
  indexTable(index: QName): QName | undefined;
  foreignKeys(table: QName): ForeignKey[];
}

const NO_SCHEMA: LockSchema = { indexTable: () => undefined, foreignKeys: () => [] };

/** Without a version: the locks of the newest PostgreSQL. */
const NEWEST = Number.POSITIVE_INFINITY;

/**
 * The table-level locks a change takes (empty when it takes none worth knowing). `schema`
 * finds the table of an index (DROP INDEX), and the foreign keys whose triggers a change drops
 * or rebuilds: that takes ACCESS EXCLUSIVE on the table at the key's other end too.
 */
export function locksOf(change: Change, schema: LockSchema = NO_SCHEMA, pgVersion = NEWEST): LockTaken[] {
  const locks = namedLocks(change, schema, pgVersion);
  // a statement without a target (`CLUSTER;`) works through many tables, each in a transaction of its own: no one lock to name
  // (indexed loop, and a copy only when a lock goes: this runs for every change, in code V8 does not optimize)
  for (let i = 0; i < locks.length; i++)
    if (locks[i]!.table.name === '') return locks.filter((l) => l.table.name !== '');
  return locks;
}

const accessExclusive = (table: QName): LockTaken => ({ table, mode: 'ACCESS EXCLUSIVE' });

const sameTable = (a: QName, b: QName) => a.name === b.name && (a.schema ?? 'public') === (b.schema ?? 'public');

/**
 * ACCESS EXCLUSIVE on `table`, and on the tables at the other end of the foreign keys a change
 * drops or rebuilds (PostgreSQL drops or rebuilds their triggers there): those `table` holds that
 * `held` selects, and those referencing it that `referencing` selects.
 */
function withOtherEnds(
  schema: LockSchema,
  table: QName,
  held: (fk: ForeignKey) => boolean,
  referencing: (fk: ForeignKey) => boolean,
): LockTaken[] {
  const locks = [accessExclusive(table)];
  const keys = schema.foreignKeys(table);
  // indexed loop: this runs for every drop and type change, in code V8 does not optimize (bin/pgphase.cjs)
  for (let i = 0; i < keys.length; i++) {
    const fk = keys[i]!;
    const holds = sameTable(fk.table, table);
    const referenced = sameTable(fk.references.table, table);
    if (holds && !referenced) {
      if (held(fk)) locks.push(accessExclusive(fk.references.table));
    } else if (!holds && referenced && referencing(fk)) locks.push(accessExclusive(fk.table));
  }
  return locks;
}

/** SHARE ROW EXCLUSIVE on the table each foreign key among `constraints` references, added to `locks`. */
function referencedTables(constraints: readonly ConstraintSpec[], locks: LockTaken[]): LockTaken[] {
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i]!;
    if (c.kind === 'foreign-key' && c.references)
      locks.push({ table: c.references.table, mode: 'SHARE ROW EXCLUSIVE' });
  }
  return locks;
}

type Locker<K extends ChangeKind> = (change: ChangeOf<K>, schema: LockSchema, pgVersion: number) => LockTaken[];

const onTable = (change: { table: QName }): LockTaken[] => [accessExclusive(change.table)];

/** The locks of each change kind that takes any: a table looked up by kind, not a switch that compares the
 *  kind with each case in turn (this runs for every change, in code V8 does not optimize). */
const LOCKERS: { [K in ChangeKind]?: Locker<K> } = {
  'add-column': (change) => referencedTables(change.column.constraints, [accessExclusive(change.table)]),
  'drop-index': (change, schema) => {
    const table = schema.indexTable(change.index);
    return table ? [{ table, mode: change.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' }] : [];
  },
  // its foreign keys go with it; with CASCADE, so do those that reference it
  'drop-column': (change, schema) =>
    withOtherEnds(
      schema,
      change.table,
      (fk) => fk.columns.includes(change.column),
      (fk) => change.cascade && fk.references.columns.includes(change.column),
    ),
  // the foreign keys on either end of the column are rebuilt
  'alter-column-type': (change, schema) =>
    withOtherEnds(
      schema,
      change.table,
      (fk) => fk.columns.includes(change.column),
      (fk) => fk.references.columns.includes(change.column),
    ),
  'drop-constraint': (change, schema) =>
    withOtherEnds(
      schema,
      change.table,
      (fk) => fk.name === change.name,
      () => false,
    ),
  'drop-table': (change, schema) =>
    withOtherEnds(
      schema,
      change.table,
      () => true,
      () => change.cascade,
    ),
  'rename-column': onTable,
  'rename-table': onTable,
  'set-not-null': onTable,
  'drop-not-null': onTable,
  'set-default': onTable,
  'drop-default': onTable,
  'add-identity': onTable,
  'rename-constraint': onTable,
  truncate: onTable,
  'table-rewrite': onTable,
  'add-constraint': (change) => {
    const c = change.constraint;
    if (c.kind === 'foreign-key' && c.references) {
      return [
        { table: change.table, mode: 'SHARE ROW EXCLUSIVE' },
        { table: c.references.table, mode: 'SHARE ROW EXCLUSIVE' },
      ];
    }
    return [accessExclusive(change.table)];
  },
  'validate-constraint': (change) => [{ table: change.table, mode: 'SHARE UPDATE EXCLUSIVE' }],
  'create-index': (change) => [
    { table: change.index.table, mode: change.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE' },
  ],
  reindex: (change, schema) => {
    // REINDEX INDEX locks the index's table; SCHEMA, DATABASE and SYSTEM go table by table
    const table =
      change.targetKind === 'index' && change.target
        ? schema.indexTable(change.target)
        : change.targetKind === 'table'
          ? change.target
          : undefined;
    return table ? [{ table, mode: change.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE' }] : [];
  },
  'create-table': (change) => {
    // a new table's foreign keys lock the referenced tables
    // (CREATE TABLE … PARTITION OF changes the parent's partitions under ACCESS EXCLUSIVE, first: ATTACH takes less)
    const locks: LockTaken[] = change.partitionOf ? [accessExclusive(change.partitionOf)] : [];
    for (let i = 0; i < change.columns.length; i++) referencedTables(change.columns[i]!.constraints, locks);
    return referencedTables(change.constraints, locks);
  },
  'create-object': (change) => {
    if (!change.table) return [];
    if (change.objectType === 'trigger') return [{ table: change.table, mode: 'SHARE ROW EXCLUSIVE' }];
    // CREATE POLICY and CREATE RULE change how every query on the table is planned
    return change.objectType === 'policy' || change.objectType === 'rule' ? [accessExclusive(change.table)] : [];
  },
  'drop-object': (change) => (change.table ? [accessExclusive(change.table)] : []),
  'lock-table': (change) => [{ table: change.table, mode: change.mode as LockMode }],
  'data-change': (change) => [{ table: change.table, mode: 'ROW EXCLUSIVE' }],
  'refresh-matview': (change) => [{ table: change.view, mode: change.concurrently ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE' }],
  'detach-partition': (change) =>
    change.concurrently
      ? [{ table: change.table, mode: 'SHARE UPDATE EXCLUSIVE' }]
      : [accessExclusive(change.table), accessExclusive(change.partition)],
  // PostgreSQL 12 lowered the parent's lock from ACCESS EXCLUSIVE
  'attach-partition': (change, _schema, pgVersion) => [
    pgVersion < 12 ? accessExclusive(change.table) : { table: change.table, mode: 'SHARE UPDATE EXCLUSIVE' },
    accessExclusive(change.partition),
  ],
  'alter-table-other': (change) => [
    { table: change.table, mode: ALTER_TABLE_OTHER[change.subtype] ?? 'ACCESS EXCLUSIVE' },
  ],
};

function namedLocks(change: Change, schema: LockSchema, pgVersion: number): LockTaken[] {
  const locker = LOCKERS[change.kind] as Locker<ChangeKind> | undefined;
  return locker ? locker(change, schema, pgVersion) : [];
}
