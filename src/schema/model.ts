// The schema model: tables, columns, keys, indexes, constraints, enums and views known
// before a statement runs. Built by replaying changes (earlier migrations, a pg_dump
// --schema-only file); changes it does not understand leave it as it was.
import type { Change, ColumnSpec, ConstraintSpec, CreatedHere, Expr, TypeRef } from '../sql/changes.js';
import { constraintName, defaultName, DEFAULT_SCHEMA, indexColumnNames, qkey, quoteQualified, unqkey, type QName } from '../sql/names.js';
import { expr, normalizeStatement, withDisplay } from '../sql/normalize.js';
import type { SourceFile } from '../sql/source.js';
import { renameColumnIn } from '../sql/rewrite.js';
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

export interface IndexModel {
  name: string;
  schema: string;
  table: string;
  unique: boolean;
  columns: Array<string | null>;
  partial: boolean;
  /** The definition, for indexes made by CREATE INDEX (not those behind a constraint). */
  definition?: { method: string; elements: Array<Record<string, any>>; where?: Expr };
}

export interface TableModel {
  schema: string;
  name: string;
  columns: Map<string, ColumnModel>;
  constraints: Map<string, ConstraintModel>;
}

function resolved(q: QName): { schema: string; name: string } {
  return { schema: q.schema ?? DEFAULT_SCHEMA, name: q.name };
}

export class SchemaModel {
  readonly tables = new Map<string, TableModel>();
  readonly indexes = new Map<string, IndexModel>();
  readonly enums = new Map<string, string[]>();
  /** Views and materialized views, by qkey, with the qkeys of the tables and views each reads. */
  readonly views = new Map<string, Set<string>>();
  /** Functions that return `trigger`: only triggers call them, never the application. */
  readonly triggerFunctions = new Set<string>();
  /** Triggers by the qkey of their table, then by name: their events (tgtype bits) and UPDATE OF columns. */
  readonly triggers = new Map<string, Map<string, { events: number; columns: string[] }>>();

  /** The names of the triggers on `table` that fire on `event` (a tgtype bit), for an UPDATE setting `columns`. */
  firingTriggers(table: QName, event: number, columns: string[]): string[] {
    const on = [...(this.triggers.get(qkey(table)) ?? [])].filter(([, t]) => t.events & event && (event !== 16 || t.columns.length === 0 || t.columns.some((c) => columns.includes(c))));
    return on.map(([name]) => name).sort();
  }

  table(q: QName): TableModel | undefined {
    return this.tables.get(qkey(q));
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
    const { schema, name } = resolved(q);
    return [...this.indexes.values()].filter((i) => i.schema === schema && i.table === name);
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
    for (const i of this.tableIndexes(q)) {
      if (i.unique && !i.partial && i.columns.every((c) => c !== null && table.columns.get(c)?.notNull)) return i.columns as string[];
    }
    return undefined;
  }

  /** Applies one change; anything the model does not track is ignored. */
  apply(change: Change): void {
    switch (change.kind) {
      case 'create-table': {
        const { schema, name } = resolved(change.table);
        const key = qkey(change.table);
        if (this.tables.has(key) && change.ifNotExists) return;
        const table: TableModel = { schema, name, columns: new Map(), constraints: new Map() };
        this.tables.set(key, table);
        for (const col of change.columns) this.addColumn(change.table, col);
        // a new table has no rows to check: CREATE TABLE makes a NOT VALID constraint valid
        for (const c of change.constraints) this.addConstraint(change.table, { ...c, notValid: false });
        return;
      }
      case 'create-table-as': {
        const { schema, name } = resolved(change.table);
        const key = qkey(change.table);
        if (this.tables.has(key) && change.ifNotExists) return;
        this.tables.set(key, { schema, name, columns: new Map(), constraints: new Map() });
        return;
      }
      case 'drop-table': {
        const { schema, name } = resolved(change.table);
        this.tables.delete(qkey(change.table));
        this.triggers.delete(qkey(change.table));
        for (const [key, i] of this.indexes) if (i.schema === schema && i.table === name) this.indexes.delete(key);
        return;
      }
      case 'rename-table': {
        const table = this.table(change.table);
        if (!table) return;
        this.tables.delete(qkey(change.table));
        const renamed = { schema: table.schema, name: change.newName };
        for (const i of this.tableIndexes(change.table)) i.table = change.newName;
        this.tables.set(qkey(renamed), { ...table, name: change.newName });
        this.renameView(qkey(change.table), qkey(renamed));
        const triggers = this.triggers.get(qkey(change.table));
        this.triggers.delete(qkey(change.table));
        if (triggers) this.triggers.set(qkey(renamed), triggers);
        return;
      }
      case 'add-column':
        if (change.ifNotExists && this.column(change.table, change.column.name)) return;
        this.addColumn(change.table, change.column);
        return;
      case 'drop-column': {
        const table = this.table(change.table);
        if (!table) return;
        table.columns.delete(change.column);
        for (const [name, c] of table.constraints) if (c.columns.includes(change.column)) table.constraints.delete(name);
        for (const [key, i] of this.indexes) {
          if (i.schema === table.schema && i.table === table.name && i.columns.includes(change.column)) this.indexes.delete(key);
        }
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
        for (const i of this.tableIndexes(change.table)) {
          i.columns = i.columns.map((c) => (c === change.column ? change.newName : c));
          if (i.definition) i.definition = renameColumnIn(i.definition, change.column, change.newName);
        }
        for (const c of table.constraints.values()) if (c.expr) c.expr = expr(renameColumnIn(c.expr.node, change.column, change.newName));
        return;
      }
      case 'alter-column-type': {
        const col = this.column(change.table, change.column);
        if (!col) return;
        col.type = change.type;
        if (change.collation !== undefined) col.collation = change.collation;
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
        if (col) col.default = change.default;
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
      case 'add-constraint':
        this.addConstraint(change.table, change.constraint);
        return;
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
        if (!table) return;
        table.constraints.delete(change.name);
        this.indexes.delete(qkey({ schema: table.schema, name: change.name }));
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
        this.indexes.set(key, { name, schema, table: tableName, unique: spec.unique, columns: spec.columns, partial: spec.where !== undefined, definition });
        return;
      }
      case 'drop-index':
        this.indexes.delete(qkey(change.index));
        return;
      case 'create-enum':
        this.enums.set(qkey(change.type), [...change.values]);
        return;
      case 'enum-add-value': {
        const values = this.enums.get(qkey(change.type));
        if (values && !values.includes(change.value)) values.push(change.value);
        return;
      }
      case 'enum-rename-value': {
        const values = this.enums.get(qkey(change.type));
        if (values) this.enums.set(qkey(change.type), values.map((v) => (v === change.value ? change.newValue : v)));
        return;
      }
      case 'create-object':
        if (change.objectType === 'view' || change.objectType === 'materialized view') this.views.set(qkey(change.name), new Set((change.reads ?? []).map(qkey)));
        if (change.returnsTrigger) this.triggerFunctions.add(qkey(change.name));
        if (change.trigger && change.table) {
          const key = qkey(change.table);
          if (!this.triggers.has(key)) this.triggers.set(key, new Map());
          this.triggers.get(key)!.set(change.name.name, change.trigger);
        }
        return;
      case 'drop-object':
        if (change.objectType === 'trigger' && change.table) this.triggers.get(qkey(change.table))?.delete(change.name.name);
        if (change.objectType === 'type') this.enums.delete(qkey(change.name));
        this.views.delete(qkey(change.name));
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
        const index = this.indexes.get(from);
        if (change.objectType === 'index' && index) {
          this.indexes.delete(from);
          this.indexes.set(to, { ...index, name: change.newName });
        }
        return;
      }
      default:
        return;
    }
  }

  /** Columns of a renamed type now have the new type name. */
  /** A renamed table or view: views follow it, as PostgreSQL's do (they refer to it by oid). */
  private renameView(from: string, to: string): void {
    const reads = this.views.get(from);
    if (reads) {
      this.views.delete(from);
      this.views.set(to, reads);
    }
    for (const tables of this.views.values()) if (tables.delete(from)) tables.add(to);
  }

  /** The views and materialized views that read a table. */
  viewsReading(table: QName): QName[] {
    const key = qkey(table);
    return [...this.views].filter(([, reads]) => reads.has(key)).map(([view]) => unqkey(view));
  }

  private renameColumnTypes(type: QName, newName: string): void {
    const schema = type.schema ?? DEFAULT_SCHEMA;
    for (const table of this.tables.values()) {
      for (const col of table.columns.values()) {
        if (col.type.name !== type.name || (col.type.schema ?? DEFAULT_SCHEMA) !== schema) continue;
        col.type = withDisplay({ ...col.type, name: newName });
      }
    }
  }

  private addColumn(tableName: QName, spec: ColumnSpec): void {
    const table = this.table(tableName);
    if (!table) return;
    // a serial column is kept as PostgreSQL makes it: an integer column, NOT NULL, drawing from its own sequence
    const serial = serialInteger(spec.type);
    const col: ColumnModel = { name: spec.name, type: serial ?? spec.type, notNull: spec.notNull };
    if (spec.default) col.default = spec.default;
    if (serial) col.default = sequenceDefault(table, spec.name);
    if (spec.collation) col.collation = spec.collation;
    if (spec.generated) col.generated = spec.generated;
    if (spec.identity) col.identity = spec.identity;
    table.columns.set(spec.name, col);
    for (const c of spec.constraints) this.addConstraint(tableName, c);
  }

  private addConstraint(tableName: QName, spec: ConstraintSpec): void {
    const table = this.table(tableName);
    if (!table) return;
    if (spec.kind === 'not-null' && spec.notValid) {
      // PostgreSQL 18: refuses new NULLs at once, and existing rows are checked when it is validated
      const name = constraintName(table.name, spec);
      table.constraints.set(name, { ...spec, name, validated: false });
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
        this.indexes.delete(qkey({ schema: table.schema, name: spec.usingIndex }));
      }
    }
    const name = constraintName(table.name, spec, columns);
    table.constraints.set(name, { ...spec, columns, name, validated: !spec.notValid });
    if (spec.kind === 'primary-key') for (const c of columns) {
      const col = table.columns.get(c);
      if (col) col.notNull = true;
    }
    if (spec.kind === 'primary-key' || spec.kind === 'unique' || spec.kind === 'exclusion') {
      this.indexes.set(qkey({ schema: table.schema, name }), { name, schema: table.schema, table: table.name, unique: spec.kind !== 'exclusion', columns, partial: false });
    }
  }
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
  for (const [name, c] of table.constraints) if (c.kind === 'not-null' && c.columns.some((column) => columns.includes(column))) table.constraints.delete(name);
}

/** `nextval('<table>_<column>_seq'::regclass)`: the default of a serial column, with the sequence PostgreSQL names for it. */
function sequenceDefault(table: TableModel, column: string): Expr {
  const sequence = quoteQualified({ schema: table.schema, name: defaultName(table.name, [column], 'seq') });
  const regclass = { TypeCast: { arg: { A_Const: { sval: { sval: sequence } } }, typeName: { names: [{ String: { sval: 'regclass' } }], typemod: -1 } } };
  return expr({ FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [regclass], funcformat: 'COERCE_EXPLICIT_CALL' } });
}

/** A model with the given changes applied in order. */
export function schemaFrom(changes: readonly Change[]): SchemaModel {
  const model = new SchemaModel();
  for (const change of changes) model.apply(change);
  return model;
}

/** Applies a parsed file to the schema model without linting it (history replay); notes what
 *  it creates in `created` when a later file of the same migration is linted. */
export function replay(source: SourceFile, schema: SchemaModel, created?: CreatedHere): void {
  for (const statement of source.statements) {
    for (const change of normalizeStatement(statement)) {
      created?.track(change, schema);
      schema.apply(change);
    }
  }
}
