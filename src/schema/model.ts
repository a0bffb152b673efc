// The schema model: tables, columns, keys, indexes, constraints, enums, views, functions,
// triggers and other named objects known before a statement runs. Built by replaying changes
// (earlier migrations, a pg_dump --schema-only file); changes it does not understand leave it
// as it was. It also says what PostgreSQL would refuse in a change (check) and how two models
// differ (schemaDifferences), for the plan's model check.
import { canonical } from '../sql/canonical.js';
import type { ForeignKey } from '../sql/locks.js';
import type { Change, ColumnSpec, ConstraintSpec, Expr, Fingerprint, ObjectType, TypeRef } from '../sql/changes.js';
import {
  constraintName,
  defaultName,
  DEFAULT_SCHEMA,
  indexColumnNames,
  INDEXED_CONSTRAINTS,
  qkey,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  unqkey,
  type QName,
} from '../sql/names.js';
import { expr, fingerprint, readStatement, typeRef, withDisplay } from '../sql/normalize.js';
import type { PgNode, SourceFile } from '../sql/source.js';
import { deparse, indexMentions, mentionsColumn, renameColumnIn } from '../sql/rewrite.js';
import { serialInteger } from '../sql/type-change.js';

export interface ColumnModel {
  name: string;
  comment?: string;
  type: TypeRef;
  /** NOT NULL in every row. A NOT VALID not-null constraint (PostgreSQL 18) is not this: see pendingNotNull(). */
  notNull: boolean;
  default?: Expr;
  collation?: string;
  generated?: ColumnSpec['generated'];
  identity?: ColumnSpec['identity'];
}

export interface ConstraintModel extends ConstraintSpec {
  name: string;
  /** False for a constraint added NOT VALID and not validated since. */
  validated: boolean;
}

/** The help of an index build on a partitioned table, which PostgreSQL refuses to do CONCURRENTLY:
 *  `lint --fix` adds no CONCURRENTLY to a finding with it, and `plan` refuses such a build with it. */
export const PARTITIONED_INDEX_HELP =
  'Create it `ON ONLY` the partitioned table (no rows are read), build the index of each partition `CONCURRENTLY` in migrations of their own, then `ALTER INDEX … ATTACH PARTITION` each; the parent index is valid once all are attached';

/** The help of a dropped index of a partitioned table, which PostgreSQL refuses to drop CONCURRENTLY. */
export const PARTITIONED_DROP_HELP =
  "Drop it in a migration of its own after `SET lock_timeout = '2s'` (and retry on timeout): the drop is quick once it has the lock, which it must not queue for";

export interface IndexModel {
  name: string;
  schema: string;
  table: string;
  unique: boolean;
  columns: Array<string | null>;
  partial: boolean;
  /** The definition, for indexes made by CREATE INDEX (not those behind a constraint). */
  definition?: { method: string; elements: Array<PgNode>; where?: Expr };
}

export interface ViewModel {
  materialized: boolean;
  /** The qkeys of the tables and views it reads. */
  reads: Set<string>;
  /** Its query as a fingerprint; undefined when the model does not know it. */
  definition?: Fingerprint;
}

/** A function, trigger, sequence, type, domain, schema, extension, policy, rule … that the model knows by name. */
export interface ObjectModel {
  type: ObjectType;
  name: QName;
  /** The qkey of the table a trigger, policy or rule is on. */
  table?: string;
  definition?: Fingerprint;
  /** A function's return type, as a fingerprint. */
  returns?: string;
  returnsTrigger?: boolean;
  /** A trigger's events (pg_trigger.tgtype's bits: 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE) and its UPDATE OF columns. */
  trigger?: { events: number; columns: string[] };
}

/** Objects named per table (`tr ON t`), not per schema. */
const ON_TABLE: ReadonlySet<ObjectType> = new Set(['trigger', 'policy', 'rule']);

/** The key of a named object: its kind, its table for a trigger/policy/rule, its name. */
function objectKey(type: ObjectType, name: QName, table?: QName | string): string {
  const on = table === undefined ? '' : `${typeof table === 'string' ? table : qkey(table)}\u0001`;
  return `${type}\u0001${on}${ON_TABLE.has(type) ? name.name : qkey(name)}`;
}

/** What PostgreSQL would refuse (or skip) in a change, in the model's state before it. */
export interface Problem {
  /** The same for the same problem whatever the statement's IF [NOT] EXISTS: problems are matched by it. */
  key: string;
  message: string;
}

export interface TableModel {
  schema: string;
  name: string;
  columns: Map<string, ColumnModel>;
  constraints: Map<string, ConstraintModel>;
  /** A partitioned table's key: its columns, null for an expression. */
  partitionKey?: Array<string | null>;
}

function resolved(q: QName): { schema: string; name: string } {
  return { schema: q.schema ?? DEFAULT_SCHEMA, name: q.name };
}

/** The qkey of the table an index is on. */
function tableKeyOf(index: IndexModel): string {
  return qkey({ schema: index.schema, name: index.table });
}

/** Changes that add no foreign key: the index of foreign keys stays as it is (a key they drop is
 *  skipped when the index is read). A renamed column is renamed in its table's constraints in
 *  place: the index holds the same tables and constraints. A renamed table's keys are moved in
 *  the index as it is renamed (renameKeys). */
const KEEPS_FOREIGN_KEYS: ReadonlySet<Change['kind']> = new Set([
  'rename-table',
  'data-change',
  'rename-column',
  'set',
  'transaction',
  'other',
  'create-index',
  'drop-index',
  'reindex',
  'comment',
  'column-comment',
  'set-default',
  'drop-default',
  'set-not-null',
  'drop-not-null',
  'add-identity',
  'alter-column-type',
  'alter-table-other',
  'table-rewrite',
  'validate-constraint',
  'drop-column',
  'drop-constraint',
  'drop-table',
  'attach-partition',
  'detach-partition',
  'create-table-as',
  'create-enum',
  'enum-add-value',
  'enum-rename-value',
  'create-domain',
  'alter-domain-add-constraint',
  'alter-domain-validate-constraint',
  'create-object',
  'drop-object',
  'rename-object',
  'lock-table',
  'refresh-matview',
  'publication',
  'truncate',
]);

/**
 * What a change does to the index of foreign keys: the table it may add keys to (the index takes
 * them in), nothing, or 'rebuild' when it is not known to leave them be.
 */
function foreignKeysChangedBy(change: Change): QName | 'rebuild' | undefined {
  switch (change.kind) {
    case 'create-table': {
      if (hasForeignKey(change.constraints)) return change.table;
      // indexed loop: this runs for every change, in code V8 does not optimize (bin/pgphase.cjs)
      for (let i = 0; i < change.columns.length; i++)
        if (hasForeignKey(change.columns[i]!.constraints)) return change.table;
      return undefined;
    }
    case 'add-column':
      return hasForeignKey(change.column.constraints) ? change.table : undefined;
    case 'add-constraint':
      return change.constraint.kind === 'foreign-key' ? change.table : undefined;
    case 'rename-constraint':
      return change.table;
    default:
      return KEEPS_FOREIGN_KEYS.has(change.kind) ? undefined : 'rebuild';
  }
}

function hasForeignKey(constraints: readonly ConstraintSpec[]): boolean {
  for (let i = 0; i < constraints.length; i++) if (constraints[i]!.kind === 'foreign-key') return true;
  return false;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The order foreignKeys() answers in: by the qkey of the table that holds a key, then by the key's name. */
const byHolderAndName = (x: KeyEntry, y: KeyEntry) =>
  compareText(x.holderKey, y.holderKey) || compareText(x.constraint.name, y.constraint.name);

/** A foreign key as the index of foreign keys holds it: the table that holds it (and its qkey), and the constraint. */
interface KeyEntry {
  holder: TableModel;
  holderKey: string;
  constraint: ConstraintModel;
}

/** An index definition with a column renamed: its WHERE a new expression, whose text follows the new name. */
function renameInDefinition(
  definition: NonNullable<IndexModel['definition']>,
  from: string,
  to: string,
): NonNullable<IndexModel['definition']> {
  const elements = renameColumnIn(definition.elements, from, to);
  const where = definition.where && expr(renameColumnIn(definition.where.node, from, to));
  return { method: definition.method, elements, ...(where && { where }) };
}

export class SchemaModel {
  /** Every table by qkey. Changed only through setTable() and deleteTable(), which keep `tablesByName` with it
   *  (read-only to others, and so typed). */
  readonly tables: ReadonlyMap<string, TableModel> = new Map<string, TableModel>();
  /** The tables by name, then by schema: table() finds one without making its qkey, a new string that
   *  the lookup would hash again, for each change and each rule that asks. */
  private readonly tablesByName = new Map<string, Map<string, TableModel>>();
  /** Every index by qkey. Changed only through setIndex() and deleteIndex(), which keep `indexesOn` with it. */
  readonly indexes = new Map<string, IndexModel>();
  /** The indexes of each table (by the table's qkey), in the order of `indexes`: a history looks
   *  up a table's indexes once per statement or more, and a scan of every index each time is quadratic. */
  private readonly indexesOn = new Map<string, Map<string, IndexModel>>();
  readonly enums = new Map<string, string[]>();
  /** Views and materialized views, by qkey. */
  readonly views = new Map<string, ViewModel>();
  /** Other named objects, by objectKey. */
  readonly objects = new Map<string, ObjectModel>();
  /** Publications by name: the tables (qkeys) and schemas they publish, or all tables. */
  readonly publications = new Map<string, { allTables: boolean; tables: Set<string>; schemas: Set<string> }>();

  /** The name of a publication that publishes the table, if the model knows one. */
  publishedIn(table: QName): string | undefined {
    const key = qkey(table);
    const schema = table.schema ?? DEFAULT_SCHEMA;
    for (const [name, p] of this.publications)
      if (p.allTables || p.tables.has(key) || p.schemas.has(schema)) return name;
    return undefined;
  }

  /** Whether the model has a type, function, sequence, domain, schema … of this name (not a trigger, policy or rule, which are per table). */
  hasObject(name: QName): boolean {
    const key = qkey(name);
    return this.enums.has(key) || [...this.objects.values()].some((o) => !o.table && qkey(o.name) === key);
  }

  /** The qkeys of the functions that return `trigger`: only triggers call them, never the application. */
  get triggerFunctions(): Set<string> {
    return new Set([...this.objects.values()].filter((o) => o.returnsTrigger).map((o) => qkey(o.name)));
  }

  /** An independent copy: applying changes to it leaves this model as it is. */
  clone(): SchemaModel {
    const copy = new SchemaModel();
    for (const [key, t] of this.tables) {
      const columns = new Map([...t.columns].map(([name, c]) => [name, { ...c }]));
      copy.setTable(key, {
        ...t,
        columns,
        constraints: new Map([...t.constraints].map(([name, c]) => [name, { ...c }])),
      });
    }
    for (const [key, i] of this.indexes) copy.setIndex(key, { ...i });
    for (const [key, values] of this.enums) copy.enums.set(key, [...values]);
    for (const [key, v] of this.views) copy.views.set(key, { ...v, reads: new Set(v.reads) });
    for (const [key, o] of this.objects) copy.objects.set(key, { ...o });
    for (const [name, p] of this.publications)
      copy.publications.set(name, { allTables: p.allTables, tables: new Set(p.tables), schemas: new Set(p.schemas) });
    for (const [key, parts] of this.partitions) copy.partitions.set(key, new Set(parts));
    for (const key of this.partialColumns) copy.partialColumns.add(key);
    return copy;
  }

  /** The names of the triggers on `table` that fire on `event` (a tgtype bit), for an UPDATE setting `columns`. */
  firingTriggers(table: QName, event: number, columns: string[]): string[] {
    const key = qkey(table);
    const on = [...this.objects.values()].filter(
      (o) =>
        o.trigger !== undefined &&
        o.table === key &&
        o.trigger.events & event &&
        (event !== 16 || o.trigger.columns.length === 0 || o.trigger.columns.some((c) => columns.includes(c))),
    );
    return on.map((o) => o.name.name).sort();
  }
  /** The partitions of each partitioned table, by qkey (CREATE TABLE … PARTITION OF, ATTACH PARTITION). */
  readonly partitions = new Map<string, Set<string>>();
  /** Tables with columns the model does not list (CREATE TABLE … AS, LIKE, INHERITS, PARTITION OF), by qkey. */
  readonly partialColumns = new Set<string>();

  table(q: QName): TableModel | undefined {
    return this.tablesByName.get(q.name)?.get(q.schema ?? DEFAULT_SCHEMA);
  }

  /** Sets the table under `key`, its qkey. */
  private setTable(key: string, table: TableModel): void {
    (this.tables as Map<string, TableModel>).set(key, table);
    let bySchema = this.tablesByName.get(table.name);
    if (!bySchema) this.tablesByName.set(table.name, (bySchema = new Map()));
    bySchema.set(table.schema, table);
  }

  /** Deletes the table under `key`, its qkey; false when there is none. */
  private deleteTable(key: string): boolean {
    const table = this.tables.get(key);
    if (!table) return false;
    (this.tables as Map<string, TableModel>).delete(key);
    this.tablesByName.get(table.name)!.delete(table.schema);
    return true;
  }

  column(table: QName, column: string): ColumnModel | undefined {
    return this.table(table)?.columns.get(column);
  }

  /** A NOT VALID not-null constraint on the column (PostgreSQL 18): new rows may not be NULL, existing ones still may. */
  pendingNotNull(table: QName, column: string): ConstraintModel | undefined {
    const constraints = this.table(table)?.constraints.values() ?? [];
    return [...constraints].find((c) => c.kind === 'not-null' && c.columns.includes(column));
  }

  /** Indexes on a table. */
  tableIndexes(q: QName): IndexModel[] {
    const on = this.indexesOn.get(qkey(q));
    return on ? [...on.values()] : [];
  }

  private setIndex(key: string, index: IndexModel): void {
    const old = this.indexes.get(key);
    // an index of that name on another table is replaced: the new one comes last on its table, as in `indexes`
    if (old && tableKeyOf(old) !== tableKeyOf(index)) this.deleteIndex(key);
    this.indexes.set(key, index);
    const table = tableKeyOf(index);
    let on = this.indexesOn.get(table);
    if (!on) this.indexesOn.set(table, (on = new Map()));
    on.set(key, index);
  }

  private deleteIndex(key: string): void {
    const index = this.indexes.get(key);
    if (!index) return;
    this.indexes.delete(key);
    this.indexesOn.get(tableKeyOf(index))?.delete(key);
  }

  /** The foreign keys `q` holds, and those of other tables that reference it. */
  foreignKeys(q: QName): ForeignKey[] {
    if (!this.keyIndex) {
      this.keyIndex = new Map();
      for (const t of this.tables.values()) this.indexKeys(t);
    }
    const key = qkey(q);
    const indexed = this.keyIndex.get(key);
    // most tables hold no foreign key and none references them: no copies, sort or callbacks for those
    // (locks ask for every drop and type change, in code V8 does not optimize: bin/pgphase.cjs)
    if (indexed === undefined) return [];
    // an entry whose table or constraint was dropped since is dropped here: only additions update the index
    const entries: KeyEntry[] = [];
    for (let i = 0; i < indexed.length; i++) {
      const { holder, holderKey, constraint: c } = indexed[i]!;
      if (this.tables.get(holderKey) === holder && holder.constraints.get(c.name) === c) entries.push(indexed[i]!);
    }
    this.keyIndex.set(key, entries);
    if (entries.length > 1) entries.sort(byHolderAndName);
    const keys: ForeignKey[] = [];
    for (let i = 0; i < entries.length; i++) {
      const { holder, constraint: c } = entries[i]!;
      keys.push({
        table: { schema: holder.schema, name: holder.name },
        name: c.name,
        columns: c.columns,
        references: { table: c.references!.table, columns: c.references!.columns },
      });
    }
    return keys;
  }

  /**
   * Every foreign key under the table that holds it and the one it references: built when first
   * asked, added to as changes add keys and moved as they rename tables.
   * `foreignKeys()` sorts what it answers, so that it does not depend on when the index was built.
   */
  private keyIndex: Map<string, KeyEntry[]> | undefined;
  private indexed = new WeakSet<ConstraintModel>();

  /** Adds the foreign keys of a table that the index lacks. */
  private indexKeys(table: TableModel): void {
    const holderKey = qkey(table);
    for (const c of table.constraints.values()) {
      if (c.kind !== 'foreign-key' || !c.references || this.indexed.has(c)) continue;
      this.indexed.add(c);
      const entry = { holder: table, holderKey, constraint: c };
      this.addKey(holderKey, entry);
      const referenced = qkey(c.references.table);
      if (referenced !== holderKey) this.addKey(referenced, entry);
    }
  }

  /**
   * Moves the index's keys of a renamed table (`from` its qkey, now `renamed` under `to`): those it
   * holds, and those that reference it, whose references follow it. Not built again from every
   * table, as it was at each rename.
   */
  private renameKeys(table: TableModel, from: string, renamed: TableModel, to: string): void {
    const entries = this.keyIndex?.get(from);
    if (!entries) return;
    this.keyIndex!.delete(from);
    // an entry is in the lists of both its tables: the one it holds a key to sees the new holder too
    for (let i = 0; i < entries.length; i++) {
      if (entries[i]!.holder !== table) continue;
      entries[i]!.holder = renamed;
      entries[i]!.holderKey = to;
    }
    const there = this.keyIndex!.get(to);
    if (!there) this.keyIndex!.set(to, entries);
    // onto a table of that name (PostgreSQL refuses such a rename): a key between the two is in both lists
    else for (let i = 0; i < entries.length; i++) if (!there.includes(entries[i]!)) there.push(entries[i]!);
  }

  private addKey(key: string, entry: KeyEntry): void {
    const entries = this.keyIndex!.get(key);
    if (entries) entries.push(entry);
    else this.keyIndex!.set(key, [entry]);
  }

  /** A table declared PARTITION BY: PostgreSQL builds and drops no index of its CONCURRENTLY. */
  isPartitioned(table: QName): boolean {
    return this.table(table)?.partitionKey !== undefined;
  }

  /** The table an index belongs to. */
  indexTable(index: QName): QName | undefined {
    const i = this.indexes.get(qkey(index));
    return i ? { schema: i.schema, name: i.table } : undefined;
  }

  /** Key columns that identify a row: the primary key, else a unique index over NOT NULL columns. */
  rowKey(q: QName): string[] | undefined {
    const table = this.table(q);
    if (!table) return undefined;
    for (const c of table.constraints.values()) if (c.kind === 'primary-key') return c.columns;
    // the narrowest unique key, then the first by name: a history and a live catalog list indexes in other orders
    const keys = this.tableIndexes(q).filter(
      (i) => i.unique && !i.partial && i.columns.every((c) => c !== null && table.columns.get(c)?.notNull),
    );
    keys.sort((a, b) => a.columns.length - b.columns.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return keys[0]?.columns as string[] | undefined;
  }

  /** What a name of the relation namespace (tables, views, indexes, sequences) is, if the model knows it. */
  private relation(q: QName): string | undefined {
    const key = qkey(q);
    if (this.tables.has(key)) return 'table';
    const view = this.views.get(key);
    if (view) return view.materialized ? 'materialized view' : 'view';
    if (this.indexes.has(key)) return 'index';
    return this.objects.has(objectKey('sequence', q)) ? 'sequence' : undefined;
  }

  private needTable(q: QName): Problem | undefined {
    if (this.table(q)) return undefined;
    const kind = this.relation(q);
    return kind
      ? { key: `${quoteQualified(q)} is a ${kind}`, message: `${quoteQualified(q)} is a ${kind}, not a table` }
      : missing(`table ${quoteQualified(q)}`);
  }

  private needColumn(q: QName, column: string): Problem | undefined {
    return this.needTable(q) ?? (this.column(q, column) ? undefined : missing(columnName(q, column)));
  }

  /** The first of the columns the table does not have. */
  private needColumns(q: QName, columns: readonly (string | null)[]): Problem | undefined {
    const absent = columns.find((c) => c !== null && !this.column(q, c));
    return this.needTable(q) ?? (absent ? missing(columnName(q, absent)) : undefined);
  }

  /**
   * What PostgreSQL would refuse in the change, given this model (a create of what exists, a drop
   * or an alter of what is not there, a drop of what others depend on), or skip (IF NOT EXISTS
   * meeting what exists; a drop IF EXISTS of what is gone loses nothing and is no problem).
   * Undefined when it applies as written. Only what the model
   * knows is judged: functions, triggers and the like it may not know (a live database's are not read).
   */
  check(change: Change): Problem | undefined {
    switch (change.kind) {
      case 'create-table':
      case 'create-table-as': {
        const kind = this.relation(change.table);
        if (kind) return exists(`${kind} ${quoteQualified(change.table)}`, change.ifNotExists);
        return change.kind === 'create-table' && change.partitionOf ? this.needTable(change.partitionOf) : undefined;
      }
      case 'drop-table': {
        if (!this.table(change.table)) return missing(`table ${quoteQualified(change.table)}`, change.ifExists);
        if (change.cascade) return undefined;
        const table = this.table(change.table)!;
        const fk = this.foreignKeysTo(table)
          .filter((k) => k.table !== table)
          .map((k) => constraintDisplay(k.table, k.key.name));
        return dependents(`table ${quoteQualified(change.table)}`, [
          ...fk,
          ...this.viewsReading(change.table).map((v) => `view ${quoteQualified(v)}`),
        ]);
      }
      case 'rename-table': {
        const kind = this.relation({ ...change.table, name: change.newName });
        return (
          this.needTable(change.table) ??
          (kind ? exists(`${kind} ${quoteQualified({ ...change.table, name: change.newName })}`) : undefined)
        );
      }
      case 'add-column':
        return (
          this.needTable(change.table) ??
          (this.column(change.table, change.column.name)
            ? exists(columnName(change.table, change.column.name), change.ifNotExists)
            : undefined)
        );
      case 'drop-column': {
        if (!this.table(change.table) || !this.column(change.table, change.column))
          return this.needTable(change.table) ?? missing(columnName(change.table, change.column), change.ifExists);
        if (change.cascade) return undefined;
        const key = qkey(change.table);
        const fk = [...this.tables.values()].flatMap((t) =>
          [...t.constraints.values()]
            .filter(
              (c) =>
                c.references &&
                qkey(c.references.table) === key &&
                c.references.columns.includes(change.column) &&
                qkey(t) !== key,
            )
            .map((c) => constraintDisplay(t, c.name)),
        );
        return dependents(columnName(change.table, change.column), fk);
      }
      case 'rename-column':
        return (
          this.needColumn(change.table, change.column) ??
          (this.column(change.table, change.newName) ? exists(columnName(change.table, change.newName)) : undefined)
        );
      case 'alter-column-type':
      case 'set-not-null':
      case 'drop-not-null':
      case 'set-default':
      case 'drop-default':
      case 'add-identity':
      case 'column-comment':
        return this.needColumn(change.table, change.column);
      case 'add-constraint':
        return this.checkConstraint(change.table, change.constraint);
      case 'validate-constraint':
        return (
          this.needTable(change.table) ??
          (this.table(change.table)!.constraints.has(change.name)
            ? undefined
            : missing(constraintDisplay(change.table, change.name)))
        );
      case 'drop-constraint':
        return (
          this.needTable(change.table) ??
          (this.table(change.table)!.constraints.has(change.name)
            ? undefined
            : missing(constraintDisplay(change.table, change.name), change.ifExists))
        );
      case 'rename-constraint': {
        const constraints = this.table(change.table)?.constraints;
        if (!constraints?.has(change.name))
          return this.needTable(change.table) ?? missing(constraintDisplay(change.table, change.name));
        return constraints.has(change.newName) ? exists(constraintDisplay(change.table, change.newName)) : undefined;
      }
      case 'create-index': {
        const spec = change.index;
        const on = this.relation(spec.table);
        if (on !== 'table' && on !== 'materialized view') return missing(`table ${quoteQualified(spec.table)}`);
        const name = {
          schema: spec.table.schema ?? DEFAULT_SCHEMA,
          name: spec.name ?? defaultName(spec.table.name, indexColumnNames([...spec.elements, ...spec.include]), 'idx'),
        };
        const kind = this.relation(name);
        if (kind) return exists(`${kind} ${quoteQualified(name)}`, change.ifNotExists);
        return on === 'table' ? this.needColumns(spec.table, spec.columns) : undefined;
      }
      case 'drop-index':
        return this.indexes.has(qkey(change.index))
          ? undefined
          : missing(`index ${quoteQualified(change.index)}`, change.ifExists);
      case 'create-enum':
      case 'create-domain': {
        const name = change.kind === 'create-enum' ? change.type : change.name;
        return this.typeExists(name) ? exists(`type ${quoteQualified(name)}`) : undefined;
      }
      case 'enum-add-value':
        return this.enums.has(qkey(change.type)) ? undefined : missing(`type ${quoteQualified(change.type)}`);
      case 'enum-rename-value': {
        const values = this.enums.get(qkey(change.type));
        if (!values) return missing(`type ${quoteQualified(change.type)}`);
        if (!values.includes(change.value))
          return missing(`value ${quoteLiteral(change.value)} of type ${quoteQualified(change.type)}`);
        return values.includes(change.newValue)
          ? exists(`value ${quoteLiteral(change.newValue)} of type ${quoteQualified(change.type)}`)
          : undefined;
      }
      case 'create-object':
        return this.checkCreate(change);
      case 'drop-object': {
        if (change.objectType === 'view' || change.objectType === 'materialized view') {
          if (!this.views.has(qkey(change.name)))
            return missing(`${change.objectType} ${quoteQualified(change.name)}`, change.ifExists);
          return change.cascade
            ? undefined
            : dependents(
                `${change.objectType} ${quoteQualified(change.name)}`,
                this.viewsReading(change.name).map((v) => `view ${quoteQualified(v)}`),
              );
        }
        if (change.objectType === 'type' && this.enums.has(qkey(change.name))) return undefined;
        if (change.objectType === 'other') return undefined;
        return this.objects.has(objectKey(change.objectType, change.name, change.table))
          ? undefined
          : missing(objectDisplay(change.objectType, change.name, change.table), change.ifExists);
      }
      case 'rename-object': {
        if (ON_TABLE.has(change.objectType) || change.objectType === 'other') return undefined;
        const renamed = { ...change.name, name: change.newName };
        const relation = ['view', 'materialized view', 'index', 'sequence', 'table'].includes(change.objectType);
        const known = relation
          ? this.relation(change.name) !== undefined
          : change.objectType === 'type'
            ? this.typeExists(change.name)
            : this.objects.has(objectKey(change.objectType, change.name));
        if (!known) return missing(objectDisplay(change.objectType, change.name));
        const taken = relation
          ? this.relation(renamed)
          : change.objectType === 'type'
            ? this.typeExists(renamed) && 'type'
            : this.objects.has(objectKey(change.objectType, renamed)) && change.objectType;
        return taken ? exists(objectDisplay(change.objectType, renamed)) : undefined;
      }
      case 'data-change': {
        const on = this.relation(change.table);
        if (on === 'table') return this.needColumns(change.table, change.setColumns);
        return on === 'view' ? undefined : missing(`table ${quoteQualified(change.table)}`);
      }
      case 'truncate':
        return this.needTable(change.table);
      default:
        return undefined;
    }
  }

  private typeExists(name: QName): boolean {
    return (
      this.enums.has(qkey(name)) ||
      this.objects.has(objectKey('type', name)) ||
      this.objects.has(objectKey('domain', name))
    );
  }

  private checkConstraint(tableName: QName, spec: ConstraintSpec): Problem | undefined {
    const table = this.table(tableName);
    if (!table) return this.needTable(tableName);
    let columns = spec.columns;
    if (spec.usingIndex !== undefined) {
      const index = this.indexes.get(qkey({ schema: table.schema, name: spec.usingIndex }));
      if (!index || table.constraints.has(spec.usingIndex))
        return missing(`index ${quoteQualified({ schema: table.schema, name: spec.usingIndex })}`);
      columns = index.columns.filter((c): c is string => c !== null);
    }
    const absent = columns.find((c) => !table.columns.has(c));
    if (absent !== undefined) return missing(columnName(tableName, absent));
    if (spec.kind === 'not-null') return undefined;
    const name = constraintName(table.name, spec, [...columns, ...(spec.including ?? [])]);
    if (table.constraints.has(name)) return exists(constraintDisplay(tableName, name));
    if (spec.kind === 'primary-key') {
      const key = [...table.constraints.values()].find((c) => c.kind === 'primary-key');
      if (key)
        return {
          key: `${quoteQualified(tableName)} has a primary key`,
          message: `${quoteQualified(tableName)} already has a primary key (${quoteIdent(key.name)})`,
        };
    }
    const indexName = { schema: table.schema, name };
    const kind =
      (spec.kind === 'primary-key' || spec.kind === 'unique' || spec.kind === 'exclusion') && spec.usingIndex !== name
        ? this.relation(indexName)
        : undefined;
    if (kind) return exists(`${kind} ${quoteQualified(indexName)}`);
    const references = spec.references;
    if (!references) return undefined;
    return this.needColumns(references.table, references.columns);
  }

  private checkCreate(change: Extract<Change, { kind: 'create-object' }>): Problem | undefined {
    const type = change.objectType;
    if (type === 'view' || type === 'materialized view') {
      const kind = this.relation(change.name);
      if (kind && !(change.orReplace && kind === 'view'))
        return exists(`${kind} ${quoteQualified(change.name)}`, change.ifNotExists);
      const absent = (change.reads ?? []).find((r) => !this.relation(r));
      return absent ? missing(`relation ${quoteQualified(absent)}`) : undefined;
    }
    if (type === 'other' || type === 'index' || type === 'table') return undefined;
    if (change.table) {
      const on = this.relation(change.table);
      if (on !== 'table' && on !== 'view') return missing(`table ${quoteQualified(change.table)}`);
    }
    const existing = this.objects.get(objectKey(type, change.name, change.table));
    if (!existing) return undefined;
    if (!change.orReplace) return exists(objectDisplay(type, change.name, change.table), change.ifNotExists);
    if (existing.returns !== undefined && change.returns !== undefined && existing.returns !== change.returns) {
      const what = objectDisplay(type, change.name);
      return {
        key: `${what} return type`,
        message: `${what} exists with another return type, which CREATE OR REPLACE cannot change`,
      };
    }
    return undefined;
  }

  /** Applies one change; anything the model does not track is ignored. */
  apply(change: Change): void {
    this.applyChange(change);
    if (!this.keyIndex) return;
    const changed = foreignKeysChangedBy(change);
    if (changed === 'rebuild') {
      this.keyIndex = undefined;
      this.indexed = new WeakSet();
      return;
    }
    const table = changed && this.table(changed);
    if (table) this.indexKeys(table);
  }

  private applyChange(change: Change): void {
    switch (change.kind) {
      case 'create-table': {
        const { schema, name } = resolved(change.table);
        const key = qkey(change.table);
        if (this.tables.has(key) && change.ifNotExists) return;
        const table: TableModel = { schema, name, columns: new Map(), constraints: new Map() };
        if (change.partitionBy) table.partitionKey = change.partitionBy;
        this.setTable(key, table);
        // indexed loops: this runs for every new table, in code V8 does not optimize (bin/pgphase.cjs)
        for (let i = 0; i < change.columns.length; i++) this.addColumn(table, change.columns[i]!);
        // a new table has no rows to check: CREATE TABLE makes a NOT VALID constraint valid
        for (let i = 0; i < change.constraints.length; i++) this.addConstraint(table, change.constraints[i]!, false);
        if (change.partitionOf) this.attach(change.partitionOf, change.table);
        if (change.partitionOf || change.copiesColumns) this.partialColumns.add(key);
        else this.partialColumns.delete(key);
        return;
      }
      case 'create-table-as': {
        const { schema, name } = resolved(change.table);
        const key = qkey(change.table);
        if (this.tables.has(key) && change.ifNotExists) return;
        this.setTable(key, { schema, name, columns: new Map(), constraints: new Map() });
        this.partialColumns.add(key);
        return;
      }
      case 'drop-table': {
        const dropped = qkey(change.table);
        if (!this.deleteTable(dropped)) return;
        this.partitions.delete(dropped);
        this.partialColumns.delete(dropped);
        for (const parts of this.partitions.values()) parts.delete(dropped);
        for (const key of [...(this.indexesOn.get(qkey(resolved(change.table)))?.keys() ?? [])]) this.deleteIndex(key);
        // forEach, here and below: a call per entry costs less in baseline code than taking each [key, value] apart
        this.objects.forEach((o, key) => {
          if (o.table === dropped) this.objects.delete(key);
        });
        // what depends on it goes too, as PostgreSQL's CASCADE drops it (without CASCADE, check() says so)
        const table = resolved(change.table);
        for (const t of this.tables.values()) {
          t.constraints.forEach((c, key) => {
            if (references(c, table)) t.constraints.delete(key);
          });
        }
        for (const view of this.viewsReading(change.table)) this.views.delete(qkey(view));
        return;
      }
      case 'rename-table': {
        const table = this.table(change.table);
        if (!table) return;
        // the two keys made once: the loops below run over every table, publication and object
        const from = qkey(change.table);
        this.deleteTable(from);
        const renamed = { schema: table.schema, name: change.newName };
        const to = qkey(renamed);
        this.renameIndexTable(resolved(change.table), change.newName);
        const renamedTable = { ...table, name: change.newName };
        this.setTable(to, renamedTable);
        this.renameKeys(table, from, renamedTable, to);
        if (this.partialColumns.delete(from)) this.partialColumns.add(to);
        this.renameView(from, to);
        // foreign keys refer to the table by oid: they follow it
        for (const t of this.tables.values()) {
          for (const c of t.constraints.values())
            if (references(c, table)) c.references = { ...c.references!, table: renamed };
        }
        // a publication holds the table by oid too
        for (const p of this.publications.values()) if (p.tables.delete(from)) p.tables.add(to);
        for (const [key, o] of this.objects) {
          if (o.table !== from) continue;
          this.objects.delete(key);
          this.objects.set(objectKey(o.type, o.name, renamed), { ...o, table: to });
        }
        return;
      }
      case 'add-column': {
        const table = this.table(change.table);
        if (!table || (change.ifNotExists && table.columns.has(change.column.name))) return;
        this.addColumn(table, change.column);
        return;
      }
      case 'drop-column': {
        const table = this.table(change.table);
        if (!table) return;
        table.columns.delete(change.column);
        table.constraints.forEach((c, name) => {
          if (c.columns.includes(change.column)) table.constraints.delete(name);
        });
        // an expression or partial index over the column goes with it, as in PostgreSQL (forEach: no copy
        // of the table's indexes, and no [key, value] taken apart; a Map's own entry may go as it is visited)
        this.indexesOn.get(qkey(table))?.forEach((i, key) => {
          if (i.columns.includes(change.column) || (i.definition && indexMentions(i.definition, change.column)))
            this.deleteIndex(key);
        });
        return;
      }
      case 'rename-column': {
        const table = this.table(change.table);
        const col = table?.columns.get(change.column);
        if (!table || !col) return;
        table.columns.delete(change.column);
        table.columns.set(change.newName, { ...col, name: change.newName });
        const swap = (cols: string[]) => cols.map((c) => (c === change.column ? change.newName : c));
        for (const c of table.constraints.values()) c.columns = swap(c.columns);
        // a definition or expression is rewritten only where it names the column: a rewrite is a copy of the tree
        for (const i of this.tableIndexes(change.table)) {
          i.columns = i.columns.map((c) => (c === change.column ? change.newName : c));
          if (i.definition && indexMentions(i.definition, change.column))
            i.definition = renameInDefinition(i.definition, change.column, change.newName);
        }
        for (const c of table.constraints.values())
          if (c.expr && mentionsColumn(c.expr.node, change.column))
            c.expr = expr(renameColumnIn(c.expr.node, change.column, change.newName));
        // a trigger's UPDATE OF names the column by number: it follows the rename (a new object: clones share it)
        const on = qkey(change.table);
        for (const o of this.objects.values())
          if (o.table === on && o.trigger) o.trigger = { ...o.trigger, columns: swap(o.trigger.columns) };
        return;
      }
      case 'alter-column-type': {
        const col = this.column(change.table, change.column);
        if (!col) return;
        col.type = change.type;
        // without COLLATE the column takes the new type's default collation, as in PostgreSQL
        if (change.collation !== undefined) col.collation = change.collation;
        else delete col.collation;
        return;
      }
      case 'set-not-null':
      case 'drop-not-null': {
        const table = this.table(change.table);
        if (table) setNotNull(table, [change.column], change.kind === 'set-not-null');
        return;
      }
      case 'set-default': {
        const col = this.column(change.table, change.column);
        if (col && isNull(change.default.node)) delete col.default;
        else if (col) col.default = change.default;
        return;
      }
      case 'add-identity': {
        const col = this.column(change.table, change.column);
        if (col) {
          col.identity = change.identity;
          col.notNull = true;
        }
        return;
      }
      case 'column-comment': {
        const col = this.column(change.table, change.column);
        if (col && change.text === undefined) delete col.comment;
        else if (col) col.comment = change.text!;
        return;
      }
      case 'drop-default': {
        const col = this.column(change.table, change.column);
        if (col) delete col.default;
        return;
      }
      case 'add-constraint': {
        const table = this.table(change.table);
        if (table) this.addConstraint(table, change.constraint);
        return;
      }
      case 'validate-constraint': {
        const table = this.table(change.table);
        const c = table?.constraints.get(change.name);
        if (!table || !c) return;
        c.validated = true;
        if (c.kind === 'not-null') setNotNull(table, c.columns, true);
        return;
      }
      case 'drop-constraint': {
        const table = this.table(change.table);
        const dropped = table?.constraints.get(change.name);
        if (!table || !dropped) return;
        table.constraints.delete(change.name);
        // the index behind a key goes with it; an index that is no constraint's (IF EXISTS of a plain
        // unique index's name) is left
        if (INDEXED_CONSTRAINTS.has(dropped.kind)) this.deleteIndex(qkey({ schema: table.schema, name: change.name }));
        return;
      }
      case 'rename-constraint': {
        const table = this.table(change.table);
        const c = table?.constraints.get(change.name);
        if (!table || !c) return;
        table.constraints.delete(change.name);
        table.constraints.set(change.newName, { ...c, name: change.newName });
        return;
      }
      case 'create-index': {
        const spec = change.index;
        const { schema, name: tableName } = resolved(spec.table);
        const name = spec.name ?? defaultName(tableName, indexColumnNames([...spec.elements, ...spec.include]), 'idx');
        const key = qkey({ schema, name });
        if (this.indexes.has(key) && change.ifNotExists) return;
        const definition: NonNullable<IndexModel['definition']> = { method: spec.method, elements: spec.elements };
        if (spec.where) definition.where = spec.where;
        this.setIndex(key, {
          name,
          schema,
          table: tableName,
          unique: spec.unique,
          columns: spec.columns,
          partial: spec.where !== undefined,
          definition,
        });
        return;
      }
      case 'drop-index': {
        const index = this.indexes.get(qkey(change.index));
        this.deleteIndex(qkey(change.index));
        // CASCADE drops the foreign keys that reference the columns of a unique index with it
        if (!change.cascade || !index?.unique) return;
        const target = qkey({ schema: index.schema, name: index.table });
        const columns = [...index.columns].sort().join('\u0000');
        for (const table of this.tables.values())
          for (const [name, c] of table.constraints)
            if (
              c.kind === 'foreign-key' &&
              c.references &&
              qkey(c.references.table) === target &&
              [...c.references.columns].sort().join('\u0000') === columns
            )
              table.constraints.delete(name);
        return;
      }
      case 'attach-partition':
        this.attach(change.table, change.partition);
        return;
      case 'publication': {
        if (change.op === 'drop') {
          this.publications.delete(change.name);
          return;
        }
        const tables = change.tables.map(qkey);
        const p = this.publications.get(change.name);
        if (change.op === 'create' || !p)
          this.publications.set(change.name, {
            allTables: change.allTables,
            tables: new Set(tables),
            schemas: new Set(change.schemas),
          });
        else if (change.op === 'set')
          this.publications.set(change.name, {
            allTables: p.allTables,
            tables: new Set(tables),
            schemas: new Set(change.schemas),
          });
        else if (change.op === 'add') {
          for (const t of tables) p.tables.add(t);
          for (const s of change.schemas) p.schemas.add(s);
        } else {
          for (const t of tables) p.tables.delete(t);
          for (const s of change.schemas) p.schemas.delete(s);
        }
        return;
      }
      case 'detach-partition':
        this.partitions.get(qkey(change.table))?.delete(qkey(change.partition));
        return;
      case 'create-enum':
        this.enums.set(qkey(change.type), [...change.values]);
        return;
      case 'enum-add-value': {
        const values = this.enums.get(qkey(change.type));
        if (!values || values.includes(change.value)) return;
        const at = change.neighbor ? values.indexOf(change.neighbor.value) : -1;
        if (at < 0) values.push(change.value);
        else values.splice(change.neighbor!.after ? at + 1 : at, 0, change.value);
        return;
      }
      case 'enum-rename-value': {
        const values = this.enums.get(qkey(change.type));
        if (values)
          this.enums.set(
            qkey(change.type),
            values.map((v) => (v === change.value ? change.newValue : v)),
          );
        return;
      }
      case 'create-object': {
        if (change.objectType === 'view' || change.objectType === 'materialized view') {
          if (change.ifNotExists && this.views.has(qkey(change.name))) return;
          const view: ViewModel = {
            materialized: change.objectType === 'materialized view',
            reads: new Set((change.reads ?? []).map(qkey)),
          };
          if (change.definition !== undefined) view.definition = change.definition;
          this.views.set(qkey(change.name), view);
          return;
        }
        if (change.objectType === 'other' || change.objectType === 'index' || change.objectType === 'table') return;
        const key = objectKey(change.objectType, change.name, change.table);
        if (change.ifNotExists && this.objects.has(key)) return;
        const object: ObjectModel = { type: change.objectType, name: resolved(change.name) };
        if (change.table) object.table = qkey(change.table);
        if (change.definition !== undefined) object.definition = change.definition;
        if (change.returns !== undefined) object.returns = change.returns;
        if (change.returnsTrigger) object.returnsTrigger = true;
        if (change.trigger) object.trigger = change.trigger;
        this.objects.set(key, object);
        return;
      }
      case 'create-domain':
        this.objects.set(objectKey('domain', change.name), { type: 'domain', name: resolved(change.name) });
        return;
      case 'drop-object':
        if (change.objectType === 'type') this.enums.delete(qkey(change.name));
        if (change.objectType === 'view' || change.objectType === 'materialized view')
          this.views.delete(qkey(change.name));
        else this.objects.delete(objectKey(change.objectType, change.name, change.table));
        return;
      case 'rename-object': {
        const from = qkey(change.name);
        const to = qkey({ ...change.name, name: change.newName });
        if (change.objectType === 'type') {
          if (this.enums.has(from)) {
            this.enums.set(to, this.enums.get(from)!);
            this.enums.delete(from);
          }
          this.renameColumnTypes(change.name, change.newName);
        }
        this.renameView(from, to);
        const object = this.objects.get(objectKey(change.objectType, change.name));
        if (object && !ON_TABLE.has(change.objectType)) {
          this.objects.delete(objectKey(change.objectType, change.name));
          this.objects.set(objectKey(change.objectType, { ...change.name, name: change.newName }), {
            ...object,
            name: { ...object.name, name: change.newName },
          });
        }
        const index = this.indexes.get(from);
        if (change.objectType === 'index' && index) {
          this.deleteIndex(from);
          this.setIndex(to, { ...index, name: change.newName });
        }
        return;
      }
      default:
        return;
    }
  }

  private attach(parent: QName, partition: QName): void {
    const parts = this.partitions.get(qkey(parent)) ?? new Set<string>();
    this.partitions.set(qkey(parent), parts.add(qkey(partition)));
  }

  /** The indexes of a renamed table move with it. */
  private renameIndexTable(from: { schema: string; name: string }, newName: string): void {
    const on = this.indexesOn.get(qkey(from));
    if (!on) return;
    this.indexesOn.delete(qkey(from));
    for (const i of on.values()) i.table = newName;
    const to = qkey({ schema: from.schema, name: newName });
    // onto a table that has indexes already (PostgreSQL refuses such a rename): both sets, in the order of `indexes`
    const merged = this.indexesOn.has(to) ? new Map([...this.indexes].filter(([, i]) => tableKeyOf(i) === to)) : on;
    this.indexesOn.set(to, merged);
  }

  /** A renamed table or view: views follow it, as PostgreSQL's do (they refer to it by oid). */
  private renameView(from: string, to: string): void {
    const view = this.views.get(from);
    if (view) {
      this.views.delete(from);
      this.views.set(to, view);
    }
    for (const { reads } of this.views.values()) if (reads.delete(from)) reads.add(to);
  }

  /** The foreign keys of every table, its own included, that reference a table. */
  foreignKeysTo(table: TableModel): Array<{ table: TableModel; key: ConstraintModel }> {
    const out: Array<{ table: TableModel; key: ConstraintModel }> = [];
    for (const t of this.tables.values())
      for (const key of t.constraints.values()) if (references(key, table)) out.push({ table: t, key });
    return out;
  }

  /** The views and materialized views that read a table. */
  viewsReading(table: QName): QName[] {
    const key = qkey(table);
    return [...this.views].filter(([, view]) => view.reads.has(key)).map(([name]) => unqkey(name));
  }

  /** Columns of a renamed type now have the new type name. */
  private renameColumnTypes(type: QName, newName: string): void {
    const schema = type.schema ?? DEFAULT_SCHEMA;
    for (const table of this.tables.values()) {
      for (const col of table.columns.values()) {
        if (col.type.name !== type.name || (col.type.schema ?? DEFAULT_SCHEMA) !== schema) continue;
        col.type = withDisplay({ ...col.type, name: newName });
      }
    }
  }

  private addColumn(table: TableModel, spec: ColumnSpec): void {
    // a serial column is kept as PostgreSQL makes it: an integer column, NOT NULL, drawing from its own sequence
    const serial = serialInteger(spec.type);
    const col: ColumnModel = { name: spec.name, type: serial ?? spec.type, notNull: spec.notNull };
    if (spec.default && !isNull(spec.default.node)) col.default = spec.default;
    if (serial) col.default = sequenceDefault(table, spec.name);
    if (spec.collation) col.collation = spec.collation;
    if (spec.generated) col.generated = spec.generated;
    if (spec.identity) col.identity = spec.identity;
    table.columns.set(spec.name, col);
    for (let i = 0; i < spec.constraints.length; i++) this.addConstraint(table, spec.constraints[i]!);
  }

  /** Adds a constraint as `spec` gives it, NOT VALID or not as `notValid` says. */
  private addConstraint(table: TableModel, spec: ConstraintSpec, notValid = spec.notValid): void {
    if (spec.kind === 'not-null' && notValid) {
      // PostgreSQL 18: refuses new NULLs at once, and existing rows are checked when it is validated
      const name = constraintName(table.name, spec);
      table.constraints.set(name, constraintModel(spec, spec.columns, name, true));
      return;
    }
    if (spec.kind === 'not-null') {
      setNotNull(table, spec.columns, true);
      return;
    }
    let columns = spec.columns;
    if (spec.usingIndex) {
      const index = this.indexes.get(qkey({ schema: table.schema, name: spec.usingIndex }));
      if (index) {
        columns = index.columns.filter((c): c is string => c !== null);
        this.deleteIndex(qkey({ schema: table.schema, name: spec.usingIndex }));
      }
    }
    const name = constraintName(table.name, spec, spec.including ? columns.concat(spec.including) : columns);
    table.constraints.set(name, constraintModel(spec, columns, name, notValid));
    if (spec.kind === 'primary-key')
      for (const c of columns) {
        const col = table.columns.get(c);
        if (col) col.notNull = true;
      }
    if (spec.kind === 'primary-key' || spec.kind === 'unique' || spec.kind === 'exclusion') {
      this.setIndex(qkey({ schema: table.schema, name }), {
        name,
        schema: table.schema,
        table: table.name,
        unique: spec.kind !== 'exclusion',
        columns,
        partial: false,
      });
    }
  }
}

/**
 * A constraint as the model holds it: `spec` under `name`, over `columns`. Written out, not
 * spread: specs come in many shapes, and a spread of objects of many shapes takes V8's slow
 * path in the baseline code the CLI runs (bin/pgphase.cjs).
 */
function constraintModel(spec: ConstraintSpec, columns: string[], name: string, notValid: boolean): ConstraintModel {
  const c: ConstraintModel = { kind: spec.kind, name, columns, notValid, validated: !notValid };
  if (spec.usingIndex !== undefined) c.usingIndex = spec.usingIndex;
  if (spec.including !== undefined) c.including = spec.including;
  if (spec.deferrable !== undefined) c.deferrable = spec.deferrable;
  if (spec.initiallyDeferred !== undefined) c.initiallyDeferred = spec.initiallyDeferred;
  if (spec.nullsNotDistinct !== undefined) c.nullsNotDistinct = spec.nullsNotDistinct;
  if (spec.indexOptions !== undefined) c.indexOptions = spec.indexOptions;
  if (spec.expr !== undefined) c.expr = spec.expr;
  if (spec.references !== undefined) c.references = spec.references;
  return c;
}

/** Is `c` a foreign key to `table`? Compared by name, not by qkey: no string made for each foreign
 *  key of the schema, at each drop and rename of a table. */
function references(c: ConstraintModel, table: { schema: string; name: string }): boolean {
  const on = c.references?.table;
  return on !== undefined && on.name === table.name && (on.schema ?? DEFAULT_SCHEMA) === table.schema;
}

/** A NULL default (`DEFAULT NULL`, `NULL::text`) is no default: PostgreSQL stores none. */
function isNull(node: PgNode): boolean {
  return node.A_Const?.isnull === true || (node.TypeCast !== undefined && isNull(node.TypeCast.arg));
}

function columnName(table: QName, column: string): string {
  return `column ${quoteIdent(column)} of ${quoteQualified(table)}`;
}

export function constraintDisplay(table: QName, name: string): string {
  return `constraint ${quoteIdent(name)} of ${quoteQualified(table)}`;
}

function objectDisplay(type: ObjectType, name: QName, table?: QName | string): string {
  if (table !== undefined)
    return `${type} ${quoteIdent(name.name)} on ${quoteQualified(typeof table === 'string' ? unqkey(table) : table)}`;
  return `${type} ${type === 'schema' || type === 'extension' ? quoteIdent(name.name) : quoteQualified(name)}`;
}

function exists(what: string, ifNotExists = false): Problem {
  return {
    key: `${what} already exists`,
    message: `${what} already exists${ifNotExists ? ' (IF NOT EXISTS leaves it as it is)' : ''}`,
  };
}

/** What is not there; none for a drop IF EXISTS, which PostgreSQL skips and which loses nothing (the object is gone either way). */
function missing(what: string, ifExists = false): Problem | undefined {
  return ifExists ? undefined : { key: `${what} does not exist`, message: `${what} does not exist` };
}

function dependents(what: string, on: string[]): Problem | undefined {
  return on.length
    ? {
        key: `${what} has dependents`,
        message: `${what} cannot be dropped without CASCADE: ${on.join(', ')} depend${on.length === 1 ? 's' : ''} on it`,
      }
    : undefined;
}

/**
 * Sets or drops columns' NOT NULL. A valid not-null constraint is kept as the column's NOT NULL
 * only: SET NOT NULL and VALIDATE validate a NOT VALID one, and DROP NOT NULL drops it.
 */
function setNotNull(table: TableModel, columns: string[], notNull: boolean): void {
  for (const column of columns) {
    const col = table.columns.get(column);
    if (col) col.notNull = notNull;
  }
  // forEach: a call per entry costs less in baseline code than taking each [key, value] apart
  table.constraints.forEach((c, name) => {
    if (c.kind === 'not-null' && c.columns.some((column) => columns.includes(column))) table.constraints.delete(name);
  });
}

/** `nextval('<table>_<column>_seq'::regclass)`: the default of a serial column, with the sequence PostgreSQL names for it. */
function sequenceDefault(table: TableModel, column: string): Expr {
  const sequence = quoteQualified({ schema: table.schema, name: defaultName(table.name, [column], 'seq') });
  const regclass = {
    TypeCast: {
      arg: { A_Const: { sval: { sval: sequence } } },
      typeName: { names: [{ String: { sval: 'regclass' } }], typemod: -1 },
    },
  };
  return expr({
    FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [regclass], funcformat: 'COERCE_EXPLICIT_CALL' },
  });
}

/** A model with the given changes applied in order. */
export function schemaFrom(changes: readonly Change[]): SchemaModel {
  const model = new SchemaModel();
  for (const change of changes) model.apply(change);
  return model;
}

/** Applies a parsed file to the schema model without linting it (history replay); notes what
 *  it creates in `created` when a later file of the same migration is linted. */
/** Applies a file's changes to `schema`; `created` (a CreatedHere) notes each before it applies. */
export function replay(
  source: SourceFile,
  schema: SchemaModel,
  created?: { track(change: Change, before: SchemaModel): void },
): void {
  for (const statement of source.statements) {
    for (const change of readStatement(statement)) {
      created?.track(change, schema);
      schema.apply(change);
    }
  }
}

/**
 * Two expressions are the same when they parse the same, or print the same (a deparsed and
 * re-parsed one may differ in its tree only), or have one canonical form (one read from the
 * catalog, as PostgreSQL prints it, and one from a migration); `varchars` are the table's varchar
 * columns, which PostgreSQL compares as text.
 */
function sameExpr(a: Expr | undefined, b: Expr | undefined, varchars: ReadonlySet<string> = new Set()): boolean {
  // both models are copies of one starting model: what neither replay touched is the same object
  if (!a || !b || a.node === b.node) return a?.node === b?.node;
  if (fingerprint(a.node) === fingerprint(b.node) || deparse(a.node) === deparse(b.node)) return true;
  return deparse(canonical(a.node, varchars)) === deparse(canonical(b.node, varchars));
}

/** The varchar columns of a table: PostgreSQL compares them as text, and prints the cast it adds. */
export function varcharsOf(table: TableModel): Set<string> {
  return new Set(
    [...table.columns.values()].filter((c) => c.type.name === 'varchar' && !c.type.array).map((c) => c.name),
  );
}

/** A default without a cast to its column's own type: PostgreSQL stores `'{}'` on a json column as `'{}'::json`. */
function ownCastless(e: Expr | undefined, type: TypeRef): Expr | undefined {
  const cast = e?.node.TypeCast;
  return cast?.typeName && sameType(typeRef(cast.typeName), type) ? expr(cast.arg) : e;
}

function exprDisplay(e: Expr | undefined): string {
  return e ? deparse(e.node) : 'none';
}

function sameType(a: TypeRef, b: TypeRef): boolean {
  return (
    a.name === b.name &&
    (a.schema ?? '') === (b.schema ?? '') &&
    a.array === b.array &&
    a.mods.join(',') === b.mods.join(',')
  );
}

/** `name: what the plan gives, what the migration gives`, for each property that differs. */
function propertyDifferences(what: string, pairs: Array<[string, string, string]>): string[] {
  return pairs
    .filter(([, actual, expected]) => actual !== expected)
    .map(([property, actual, expected]) => `${what} has ${property} ${actual}, the migration gives ${expected}`);
}

function columnDifferences(table: TableModel, expected: ColumnModel, actual: ColumnModel): string[] {
  const what = columnName(table, expected.name);
  const out = propertyDifferences(what, [
    ['type', actual.type.display, sameType(actual.type, expected.type) ? actual.type.display : expected.type.display],
    ['nullability', actual.notNull ? 'NOT NULL' : 'nullable', expected.notNull ? 'NOT NULL' : 'nullable'],
    ['collation', actual.collation ?? 'default', expected.collation ?? 'default'],
    ['identity', actual.identity ?? 'none', expected.identity ?? 'none'],
    [
      'comment',
      actual.comment === undefined ? 'none' : quoteLiteral(actual.comment),
      expected.comment === undefined ? 'none' : quoteLiteral(expected.comment),
    ],
  ]);
  if (!sameExpr(ownCastless(actual.default, actual.type), ownCastless(expected.default, expected.type)))
    out.push(
      `${what} has default ${exprDisplay(actual.default)}, the migration gives ${exprDisplay(expected.default)}`,
    );
  if (
    actual.generated?.kind !== expected.generated?.kind ||
    !sameExpr(actual.generated?.expr, expected.generated?.expr)
  ) {
    out.push(
      `${what} has generated ${actual.generated ? exprDisplay(actual.generated.expr) : 'none'}, the migration gives ${expected.generated ? exprDisplay(expected.generated.expr) : 'none'}`,
    );
  }
  return out;
}

function sameConstraint(a: ConstraintModel, b: ConstraintModel, varchars: ReadonlySet<string>): boolean {
  const refs = (c: ConstraintModel) =>
    c.references
      ? JSON.stringify([qkey(c.references.table), c.references.columns, c.references.onDelete, c.references.onUpdate])
      : '';
  return (
    a.kind === b.kind &&
    a.validated === b.validated &&
    a.columns.join('\u0000') === b.columns.join('\u0000') &&
    refs(a) === refs(b) &&
    sameExpr(a.expr, b.expr, varchars)
  );
}

function sameIndex(a: IndexModel, b: IndexModel): boolean {
  if (
    a.table !== b.table ||
    a.unique !== b.unique ||
    a.partial !== b.partial ||
    a.columns.join('\u0000') !== b.columns.join('\u0000')
  )
    return false;
  if (!a.definition || !b.definition || a.definition === b.definition) return a.definition === b.definition;
  return (
    a.definition.method === b.definition.method &&
    fingerprint(a.definition.elements) === fingerprint(b.definition.elements) &&
    sameExpr(a.definition.where, b.definition.where)
  );
}

/** What is in one map and not the other, and what both have but differently, by key. */
function keyed<T>(
  what: (key: string) => string,
  expected: ReadonlyMap<string, T>,
  actual: ReadonlyMap<string, T>,
  same: (a: T, e: T) => boolean | string[],
): string[] {
  const out: string[] = [];
  for (const [key, e] of expected) {
    const a = actual.get(key);
    if (a === undefined) out.push(`${what(key)} is missing`);
    else {
      const result = same(a, e);
      if (result === false) out.push(`${what(key)} differs from the migration's`);
      else if (Array.isArray(result)) out.push(...result);
    }
  }
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${what(key)} is left over`);
  return out;
}

/**
 * How `actual` differs from `expected`, one line per difference: tables, columns (type,
 * nullability, default, collation, identity, generated, comment), constraints, indexes,
 * views, enums, functions, triggers and other named objects. Column order is not compared (a
 * copied column comes last). An enum may keep values the migration renames away: PostgreSQL
 * cannot drop an enum value, so a plan leaves the old one in place, unused.
 */
export function schemaDifferences(expected: SchemaModel, actual: SchemaModel): string[] {
  return [
    ...keyed(
      (key) => `table ${quoteQualified(unqkey(key))}`,
      expected.tables,
      actual.tables,
      (a, e) => [
        ...keyed(
          (name) => columnName(e, name),
          e.columns,
          a.columns,
          (ac, ec) => columnDifferences(e, ec, ac),
        ),
        ...keyed(
          (name) => constraintDisplay(e, name),
          e.constraints,
          a.constraints,
          (x, y) => sameConstraint(x, y, varcharsOf(e)),
        ),
      ],
    ),
    ...keyed((key) => `index ${quoteQualified(unqkey(key))}`, expected.indexes, actual.indexes, sameIndex),
    ...keyed(
      (key) =>
        `${(expected.views.get(key) ?? actual.views.get(key))!.materialized ? 'materialized view' : 'view'} ${quoteQualified(unqkey(key))}`,
      expected.views,
      actual.views,
      (a, e) =>
        a.materialized === e.materialized &&
        a.definition?.text === e.definition?.text &&
        [...e.reads].every((r) => a.reads.has(r)) &&
        a.reads.size === e.reads.size,
    ),
    ...keyed(
      (key) => `type ${quoteQualified(unqkey(key))}`,
      expected.enums,
      actual.enums,
      (a, e) => {
        const kept = a.filter((v) => e.includes(v));
        return kept.length === e.length && kept.every((v, i) => v === e[i]);
      },
    ),
    ...keyed(
      (key) => {
        const o = (expected.objects.get(key) ?? actual.objects.get(key))!;
        return objectDisplay(o.type, o.name, o.table);
      },
      expected.objects,
      actual.objects,
      (a, e) => a.definition?.text === e.definition?.text && a.returns === e.returns,
    ),
  ];
}
