// Turns parsed statements into typed Changes (see changes.ts).
import type {
  Change,
  ColumnSpec,
  ConstraintSpec,
  Expr,
  Fingerprint,
  FkAction,
  ObjectType,
  TypeRef,
} from './changes.js';
import { LOCK_MODES } from './locks.js';
import { fromNameList, fromRangeVar, quoteQName, type QName } from './names.js';
import { deparse } from './rewrite.js';
import { nodeOf, nodeType } from './node.js';
import { type PgNode, parseStatementNodes, plpgsqlStatements, type Statement } from './source.js';

/** Source-like text of an expression node, printed by the deparser. */
export function exprText(node: PgNode): string {
  try {
    return deparse(node);
  } catch {
    return '…';
  }
}

/** A parse tree as a string that ignores where it was written (locations): two writings of the same definition give the same string. */
export function fingerprint(node: unknown): string {
  // cut from the text: a replacer is a call per value. A quote inside a string value is escaped,
  // so only a key matches (a location is a number). Nothing (undefined) gives ''.
  return (JSON.stringify(node) ?? '').replace(/"location":-?\d+,?|,"location":-?\d+/g, '');
}

// `text` below is an own enumerable accessor, so that spreading and JSON see it as a value. One
// accessor for every object, defined on each: the get and set of an object literal are new
// functions at each call, and V8 keeps an object whose accessors no other object shares as a
// dictionary of its properties, slow to make and to read (in the baseline code the CLI runs, bin/pgphase.cjs).

/** The fingerprint of a tree, worked out the first time it is read. */
class LazyFingerprint implements Fingerprint {
  declare readonly text: string;
  readonly #node: unknown;
  #text: string | undefined;

  constructor(node: unknown) {
    this.#node = node;
    Object.defineProperty(this, 'text', LazyFingerprint.#textProperty);
  }

  static readonly #textProperty: PropertyDescriptor & ThisType<LazyFingerprint> = {
    get() {
      return (this.#text ??= fingerprint(this.#node));
    },
    enumerable: true,
    configurable: true,
  };
}

/** An expression with its text, deparsed the first time it is read: few rules read it. */
class LazyExpr implements Expr {
  readonly node: PgNode;
  declare readonly text: string;
  #text: string | undefined;

  constructor(node: PgNode) {
    this.node = node;
    Object.defineProperty(this, 'text', LazyExpr.#textProperty);
  }

  static readonly #textProperty: PropertyDescriptor & ThisType<LazyExpr> = {
    get() {
      return (this.#text ??= exprText(this.node));
    },
    enumerable: true,
    configurable: true,
  };
}

/** An expression with its text, which is deparsed the first time it is read. */
export function expr(node: PgNode): Expr {
  return new LazyExpr(node);
}

/**
 * Built-in types by canonical name, as PostgreSQL prints them: for messages and, since each is
 * also valid SQL, unquoted in generated SQL. Any other type name is quoted.
 */
const BUILTIN: ReadonlyMap<string, string> = new Map([
  ['int2', 'smallint'],
  ['int4', 'integer'],
  ['int8', 'bigint'],
  ['float4', 'real'],
  ['float8', 'double precision'],
  ['bool', 'boolean'],
  ['bpchar', 'char'],
  ...[
    'varchar',
    'timestamp',
    'timestamptz',
    'time',
    'timetz',
    'serial',
    'bigserial',
    'smallserial',
    'text',
    'numeric',
    'date',
    'uuid',
    'json',
    'jsonb',
    'bytea',
    'inet',
    'cidr',
    'macaddr',
    'interval',
    'money',
    'xml',
    'tsvector',
    'oid',
    'point',
    'bit',
    'varbit',
  ].map((t): [string, string] => [t, t]),
]);

/** A serial column is an integer column with a sequence default: a copy of one gets the integer type. */
const SERIAL_BASE: ReadonlyMap<string, string> = new Map([
  ['serial', 'integer'],
  ['bigserial', 'bigint'],
  ['smallserial', 'smallint'],
]);

// Spellings the parser leaves as written (pg_dump's and format_type's output goes through the
// parser too). Not "char": quoted, that is PostgreSQL's one-byte internal type, not char(n).
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    int: 'int4',
    integer: 'int4',
    smallint: 'int2',
    bigint: 'int8',
    real: 'float4',
    float: 'float8',
    boolean: 'bool',
    'character varying': 'varchar',
    decimal: 'numeric',
    'timestamp with time zone': 'timestamptz',
    'timestamp without time zone': 'timestamp',
    serial4: 'serial',
    serial8: 'bigserial',
    serial2: 'smallserial',
  }),
);

function constValue(node: PgNode): number | string {
  const c = node.A_Const;
  if (c?.ival !== undefined) return c.ival.ival ?? 0;
  if (c?.sval !== undefined) return c.sval.sval ?? '';
  if (c?.fval !== undefined) return c.fval.fval;
  if (node.ColumnRef) return node.ColumnRef.fields?.map((f: PgNode) => f.String?.sval).join('.') ?? '';
  return exprText(node);
}

export function typeRef(typeName: PgNode): TypeRef {
  const q = fromNameList(typeName.names ?? []);
  const base = TYPE_ALIASES.get(q.name) ?? q.name;
  const schema = q.schema === 'pg_catalog' ? undefined : q.schema;
  // indexed loop: this runs for every column, in code V8 does not optimize (bin/pgphase.cjs)
  const mods: Array<number | string> = [];
  const typmods: PgNode[] = typeName.typmods ?? [];
  for (let i = 0; i < typmods.length; i++) mods.push(constValue(typmods[i]!));
  const array = Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0;
  const type: TypeRef =
    schema === undefined ? { name: base, mods, array, display: '' } : { schema, name: base, mods, array, display: '' };
  type.display = display(type);
  return type;
}

/** The type with `display` set (see display). */
export function withDisplay(type: TypeRef): TypeRef {
  return { ...type, display: display(type) };
}

/** A type as PostgreSQL prints it: `varchar(20)`, `bigint[]`, `app.mood`. */
function display(type: TypeRef): string {
  const shown = (type.schema === undefined ? BUILTIN.get(type.name) : undefined) ?? type.name;
  const mods = type.mods.length ? `(${type.mods.join(',')})` : '';
  return `${type.schema ? `${type.schema}.` : ''}${shown}${mods}${type.array ? '[]' : ''}`;
}

/** A column type as SQL: `varchar(20)`, `bigint[]`, `"app"."mood"`. */
export function typeSql(type: TypeRef): string {
  const builtin = type.schema === undefined ? (SERIAL_BASE.get(type.name) ?? BUILTIN.get(type.name)) : undefined;
  const name = builtin ?? quoteQName(type);
  return `${name}${type.mods.length ? `(${type.mods.join(', ')})` : ''}${type.array ? '[]' : ''}`;
}

const FK_ACTIONS: Record<string, FkAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

function names(list: PgNode[] | undefined): string[] {
  return (list ?? []).map((n) => n.String?.sval ?? '');
}

/** The distinct unqualified column names an expression refers to. */
export function columnRefs(node: unknown): string[] {
  const out = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (let i = 0; i < n.length; i++) walk(n[i]);
    else if (n && typeof n === 'object')
      for (const key in n) {
        const value = (n as PgNode)[key];
        if (key === 'ColumnRef') {
          const fields = (value as { fields?: PgNode[] }).fields ?? [];
          const last = fields[fields.length - 1]?.String?.sval;
          if (last) out.add(last);
        } else walk(value);
      }
  };
  walk(node);
  return [...out];
}

const CONSTRAINT_KINDS: Record<string, ConstraintSpec['kind']> = {
  CONSTR_CHECK: 'check',
  CONSTR_FOREIGN: 'foreign-key',
  CONSTR_UNIQUE: 'unique',
  CONSTR_PRIMARY: 'primary-key',
  CONSTR_EXCLUSION: 'exclusion',
  CONSTR_NOTNULL: 'not-null',
};

/** A table-level constraint, or a column constraint applied to `column`. */
function constraint(c: PgNode, column?: string): ConstraintSpec | undefined {
  const kind = CONSTRAINT_KINDS[c.contype];
  if (!kind) return undefined;
  let columns: string[] = column ? [column] : [];
  if (kind === 'foreign-key' && !column) columns = names(c.fk_attrs);
  else if ((kind === 'unique' || kind === 'primary-key') && !column) columns = names(c.keys);
  else if (kind === 'not-null' && !column) columns = names(c.keys);
  // PostgreSQL keys (and names) a check by the columns its expression reads, wherever it is written
  else if (kind === 'check') columns = columnRefs(c.raw_expr);
  else if (kind === 'exclusion') {
    columns = (c.exclusions ?? []).flatMap((e: PgNode) => {
      const elem = e.List?.items?.[0]?.IndexElem;
      return elem?.name ? [elem.name] : [];
    });
  }
  const spec: ConstraintSpec = { kind, columns, notValid: c.skip_validation === true };
  if (c.conname) spec.name = c.conname;
  if (c.indexname) spec.usingIndex = c.indexname;
  if (c.including?.length) spec.including = names(c.including);
  if (kind === 'unique' || kind === 'primary-key') {
    if (c.deferrable) spec.deferrable = true;
    if (c.initdeferred) spec.initiallyDeferred = true;
    if (c.nulls_not_distinct) spec.nullsNotDistinct = true;
    if (c.options?.length || c.indexspace) spec.indexOptions = true;
  }
  if (c.raw_expr) spec.expr = expr(c.raw_expr);
  if (kind === 'foreign-key') {
    spec.references = {
      table: fromRangeVar(c.pktable),
      columns: names(c.pk_attrs),
      onDelete: FK_ACTIONS[c.fk_del_action] ?? 'no action',
      onUpdate: FK_ACTIONS[c.fk_upd_action] ?? 'no action',
    };
  }
  return spec;
}

/** What each attribute clause written after a constraint (DEFERRABLE, NOT ENFORCED …) sets on it, as PostgreSQL reads them. */
const ATTRIBUTES: Record<string, PgNode> = {
  CONSTR_ATTR_DEFERRABLE: { deferrable: true },
  CONSTR_ATTR_NOT_DEFERRABLE: { deferrable: false },
  CONSTR_ATTR_DEFERRED: { deferrable: true, initdeferred: true },
  CONSTR_ATTR_IMMEDIATE: { initdeferred: false },
  CONSTR_ATTR_ENFORCED: { is_enforced: true },
  // PostgreSQL 18: never validated
  CONSTR_ATTR_NOT_ENFORCED: { is_enforced: false, skip_validation: true, initially_valid: false },
};

/** The constraints written on a column, each with the attribute clauses after it folded in. */
export function columnConstraints(def: PgNode): PgNode[] {
  const out: PgNode[] = [];
  const items: PgNode[] = def.constraints ?? [];
  for (let i = 0; i < items.length; i++) {
    const k = items[i]!.Constraint as PgNode;
    const attribute = ATTRIBUTES[k.contype];
    if (attribute) out.push({ ...out.pop(), ...attribute });
    else out.push(k);
  }
  return out;
}

export function columnSpec(def: PgNode): ColumnSpec {
  const col: ColumnSpec = { name: def.colname, type: typeRef(def.typeName ?? {}), notNull: false, constraints: [] };
  if (typeof def.location === 'number' && def.location >= 0) col.at = def.location;
  if (def.collClause) col.collation = fromNameList(def.collClause.collname ?? []).name;
  const constraints = columnConstraints(def);
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i]!;
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        col.notNull = true;
        break;
      case 'CONSTR_NULL':
        col.notNull = false;
        break;
      case 'CONSTR_DEFAULT':
        if (c.raw_expr) col.default = expr(c.raw_expr);
        break;
      case 'CONSTR_GENERATED':
        col.generated = { kind: c.generated_kind === 'v' ? 'virtual' : 'stored', expr: expr(c.raw_expr ?? {}) };
        break;
      case 'CONSTR_IDENTITY':
        col.identity = c.generated_when === 'a' ? 'always' : 'by-default';
        col.notNull = true;
        break;
      default: {
        const spec = constraint(c, def.colname);
        if (spec) {
          col.constraints.push(spec);
          if (spec.kind === 'primary-key') col.notNull = true;
        }
      }
    }
  }
  if (SERIAL_BASE.has(col.type.name)) col.notNull = true;
  return col;
}

/** A boolean option as PostgreSQL reads it: no value, `true`, `on`, `1` … (`FULL false` is off). */
function isOn(option: PgNode): boolean {
  const arg = option.arg as PgNode | undefined;
  if (!arg) return true;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  return !['false', 'off', 'no', '0'].includes(String(arg.String?.sval ?? arg.Boolean?.boolval ?? '').toLowerCase());
}

const OBJECT_TYPES: Record<string, ObjectType> = {
  OBJECT_SCHEMA: 'schema',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'function',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'domain',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_EXTENSION: 'extension',
  OBJECT_INDEX: 'index',
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'table',
  OBJECT_POLICY: 'policy',
  OBJECT_RULE: 'rule',
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_COLLATION: 'collation',
};

/** The name of a DropStmt / RenameStmt object, whatever node shape it has. */
function objectName(obj: PgNode | undefined, type: ObjectType): QName {
  if (!obj) return { name: '' };
  if (obj.List) return fromNameList(obj.List.items ?? []);
  if (obj.String) return { name: obj.String.sval };
  if (obj.ObjectWithArgs) return fromNameList(obj.ObjectWithArgs.objname ?? []);
  if (obj.TypeName) return fromNameList(obj.TypeName.names ?? []);
  if (type === 'schema' && typeof obj === 'string') return { name: obj };
  return { name: exprText(obj) };
}

const REPLICA_IDENTITY: Record<string, 'default' | 'full' | 'nothing' | 'index'> = {
  d: 'default',
  f: 'full',
  n: 'nothing',
  i: 'index',
};

const PUBLICATION_OPS: Record<string, 'add' | 'remove' | 'set'> = {
  AP_AddObjects: 'add',
  AP_DropObjects: 'remove',
  AP_SetObjects: 'set',
};

/** A CREATE or ALTER PUBLICATION's tables and schemas. */
function publication(s: PgNode, index: number, op: 'create' | 'add' | 'remove' | 'set'): Change {
  const objects: PgNode[] = (s.pubobjects ?? []).map((o: PgNode) => o.PublicationObjSpec);
  const tables = objects
    .filter((o) => o.pubobjtype === 'PUBLICATIONOBJ_TABLE' && o.pubtable?.relation)
    .map((o) => fromRangeVar(o.pubtable.relation));
  const schemas = objects
    .filter((o) => o.pubobjtype === 'PUBLICATIONOBJ_TABLES_IN_SCHEMA' && o.name)
    .map((o) => o.name as string);
  return {
    statement: index,
    kind: 'publication',
    name: s.pubname,
    op,
    allTables: s.for_all_tables === true,
    tables,
    schemas,
  };
}

function alterTable(stmt: PgNode, index: number): Change[] {
  const table = fromRangeVar(stmt.relation);
  const changes: Change[] = [];
  const cmds: PgNode[] = stmt.cmds ?? [];
  for (let i = 0; i < cmds.length; i++) {
    const cmd = cmds[i]!.AlterTableCmd as PgNode;
    const column = cmd.name as string;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        changes.push({
          statement: index,
          table,
          kind: 'add-column',
          column: columnSpec(cmd.def.ColumnDef),
          ifNotExists: cmd.missing_ok === true,
        });
        break;
      case 'AT_DropColumn':
        changes.push({
          statement: index,
          table,
          kind: 'drop-column',
          column,
          ifExists: cmd.missing_ok === true,
          cascade: cmd.behavior === 'DROP_CASCADE',
        });
        break;
      case 'AT_AlterColumnType': {
        const def = cmd.def.ColumnDef as PgNode;
        const change: Change = {
          statement: index,
          table,
          kind: 'alter-column-type',
          column,
          type: typeRef(def.typeName ?? {}),
        };
        if (def.raw_default) change.using = expr(def.raw_default);
        if (def.collClause) change.collation = fromNameList(def.collClause.collname ?? []).name;
        if (typeof def.location === 'number' && def.location >= 0) change.at = def.location;
        changes.push(change);
        break;
      }
      case 'AT_SetNotNull':
        changes.push({ statement: index, table, kind: 'set-not-null', column });
        break;
      case 'AT_DropNotNull':
        changes.push({ statement: index, table, kind: 'drop-not-null', column });
        break;
      case 'AT_ColumnDefault':
        changes.push(
          cmd.def
            ? { statement: index, table, kind: 'set-default', column, default: expr(cmd.def) }
            : { statement: index, table, kind: 'drop-default', column },
        );
        break;
      case 'AT_AddIdentity':
        changes.push({
          statement: index,
          table,
          kind: 'add-identity',
          column,
          identity: cmd.def?.Constraint?.generated_when === 'a' ? 'always' : 'by-default',
        });
        break;
      case 'AT_AddConstraint': {
        const spec = constraint(cmd.def.Constraint);
        if (spec) changes.push({ statement: index, table, kind: 'add-constraint', constraint: spec });
        break;
      }
      case 'AT_ValidateConstraint':
        changes.push({ statement: index, table, kind: 'validate-constraint', name: column });
        break;
      case 'AT_DropConstraint':
        changes.push({
          statement: index,
          table,
          kind: 'drop-constraint',
          name: column,
          ifExists: cmd.missing_ok === true,
          cascade: cmd.behavior === 'DROP_CASCADE',
        });
        break;
      case 'AT_SetTableSpace':
        changes.push({ statement: index, table, kind: 'table-rewrite', how: 'set tablespace' });
        break;
      case 'AT_SetLogged':
        changes.push({ statement: index, table, kind: 'table-rewrite', how: 'set logged' });
        break;
      case 'AT_SetUnLogged':
        changes.push({ statement: index, table, kind: 'table-rewrite', how: 'set unlogged' });
        break;
      case 'AT_SetAccessMethod':
        changes.push({ statement: index, table, kind: 'table-rewrite', how: 'set access method' });
        break;
      case 'AT_ClusterOn':
        changes.push({ statement: index, table, kind: 'alter-table-other', subtype: 'cluster on' });
        break;
      case 'AT_DetachPartition':
        changes.push({
          statement: index,
          table,
          kind: 'detach-partition',
          partition: fromRangeVar(cmd.def.PartitionCmd.name),
          concurrently: cmd.def.PartitionCmd.concurrent === true,
        });
        break;
      case 'AT_ReplicaIdentity':
        changes.push({
          statement: index,
          table,
          kind: 'alter-table-other',
          subtype: 'ReplicaIdentity',
          replicaIdentity: REPLICA_IDENTITY[cmd.def?.ReplicaIdentityStmt?.identity_type] ?? 'default',
        });
        break;
      case 'AT_AttachPartition':
        changes.push({
          statement: index,
          table,
          kind: 'attach-partition',
          partition: fromRangeVar(cmd.def.PartitionCmd.name),
        });
        break;
      default:
        changes.push({
          statement: index,
          table,
          kind: 'alter-table-other',
          subtype: String(cmd.subtype).replace(/^AT_/, ''),
        });
    }
  }
  return changes;
}

function rename(stmt: PgNode, index: number): Change {
  switch (stmt.renameType) {
    case 'OBJECT_COLUMN':
      return {
        statement: index,
        kind: 'rename-column',
        table: fromRangeVar(stmt.relation),
        column: stmt.subname,
        newName: stmt.newname,
      };
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE':
      return { statement: index, kind: 'rename-table', table: fromRangeVar(stmt.relation), newName: stmt.newname };
    case 'OBJECT_TABCONSTRAINT':
      return {
        statement: index,
        kind: 'rename-constraint',
        table: fromRangeVar(stmt.relation),
        name: stmt.subname,
        newName: stmt.newname,
      };
    default: {
      const objectType = OBJECT_TYPES[stmt.renameType] ?? 'other';
      const name = stmt.relation
        ? fromRangeVar(stmt.relation)
        : objectType === 'schema'
          ? { name: stmt.subname }
          : objectName(stmt.object, objectType);
      return { statement: index, kind: 'rename-object', objectType, name, newName: stmt.newname };
    }
  }
}

/** Objects named `name ON table`. */
const ON_TABLE: ReadonlySet<ObjectType> = new Set(['trigger', 'policy', 'rule']);

function drop(stmt: PgNode, index: number): Change[] {
  const objectType = OBJECT_TYPES[stmt.removeType] ?? 'other';
  const ifExists = stmt.missing_ok === true;
  const cascade = stmt.behavior === 'DROP_CASCADE';
  return (stmt.objects ?? []).map((obj: PgNode): Change => {
    if (ON_TABLE.has(objectType) && obj.List) {
      const items = obj.List.items as PgNode[];
      const table = fromNameList(items.slice(0, -1));
      return {
        statement: index,
        kind: 'drop-object',
        objectType,
        name: { name: items[items.length - 1]!.String.sval },
        ifExists,
        cascade,
        table,
      };
    }
    const name = objectName(obj, objectType);
    if (objectType === 'table') return { statement: index, kind: 'drop-table', table: name, ifExists, cascade };
    if (objectType === 'index')
      return {
        statement: index,
        kind: 'drop-index',
        index: name,
        concurrently: stmt.concurrent === true,
        ifExists,
        cascade,
      };
    return { statement: index, kind: 'drop-object', objectType, name, ifExists, cascade };
  });
}

/**
 * Every RangeVar in a subtree (tables a query reads), except references to the CTEs the subtree
 * defines in a WITH clause at any depth: those name no table. One walk collects both.
 */
function rangeVars(node: unknown): QName[] {
  const ctes = new Set<string>();
  const vars: PgNode[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (let i = 0; i < n.length; i++) walk(n[i]);
    else if (n && typeof n === 'object')
      for (const key in n) {
        const value = (n as PgNode)[key];
        // a field that holds no node (a location, a name, a flag) is neither compared nor walked into:
        // a call and three string comparisons per field in baseline code
        if (value === null || typeof value !== 'object') continue;
        // constants (the bulk of a seed INSERT's VALUES) hold no table name: not walked into
        if (key === 'A_Const') continue;
        if (key === 'RangeVar') vars.push(value);
        else {
          if (key === 'CommonTableExpr' && typeof value.ctename === 'string') ctes.add(value.ctename);
          walk(value);
        }
      }
  };
  walk(node);
  return vars.flatMap((v) =>
    v.schemaname !== undefined || !ctes.has(v.relname) ? [fromRangeVar(v as { relname: string })] : [],
  );
}

const DML_OPS = { UpdateStmt: 'update', DeleteStmt: 'delete', InsertStmt: 'insert', MergeStmt: 'merge' } as const;

/** Does a SELECT read rows from a FROM clause (in any branch of a UNION …)? Without one it yields constant rows. */
function readsFrom(select: PgNode | undefined): boolean {
  if (!select) return false;
  if (select.op !== undefined && select.op !== 'SETOP_NONE') return readsFrom(select.larg) || readsFrom(select.rarg);
  return (select.fromClause ?? []).length > 0;
}

function dataChange(type: keyof typeof DML_OPS, s: PgNode, index: number): Change {
  const op = DML_OPS[type];
  const target = fromRangeVar(s.relation);
  const fromSelect = op === 'insert' ? readsFrom(s.selectStmt?.SelectStmt) : op === 'merge';
  const reads = rangeVars([
    s.withClause,
    s.fromClause,
    s.usingClause,
    s.whereClause,
    op === 'update' ? s.targetList : undefined,
    op === 'insert' ? s.selectStmt : undefined,
    s.sourceRelation,
  ]);
  const change: Change = {
    statement: index,
    kind: 'data-change',
    op,
    table: target,
    fromSelect,
    reads,
    setColumns: (s.targetList ?? []).map((t: PgNode) => t.ResTarget?.name).filter(Boolean),
  };
  if (s.whereClause) change.where = expr(s.whereClause);
  return change;
}

/**
 * The INSERT, UPDATE, DELETE and MERGE in the WITH clause of a statement: they run whatever the main
 * query does. PostgreSQL allows them only in the top-level WITH.
 */
function cteDataChanges(s: PgNode, index: number): Change[] {
  return (s.withClause?.ctes ?? []).flatMap((cte: PgNode) => {
    const [type, query] = nodeOf(cte.CommonTableExpr?.ctequery ?? {});
    return type in DML_OPS ? [dataChange(type as keyof typeof DML_OPS, query, index)] : [];
  });
}

/** `SELECT set_config('lock_timeout', '2s', false)`, a SET written as a function call, when its arguments are constants. */
function setConfigs(s: PgNode, index: number): Change[] {
  if (s.fromClause) return [];
  return (s.targetList ?? []).flatMap((t: PgNode): Change[] => {
    const call = t.ResTarget?.val?.FuncCall;
    const [name, value, local] = (call?.args ?? []) as PgNode[];
    const fn = fromNameList(call?.funcname ?? []);
    if (fn.name !== 'set_config' || (fn.schema ?? 'pg_catalog') !== 'pg_catalog' || call.args.length !== 3) return [];
    if (
      name?.A_Const?.sval === undefined ||
      value?.A_Const?.sval === undefined ||
      local?.A_Const?.boolval === undefined
    )
      return [];
    return [
      {
        statement: index,
        kind: 'set',
        name: String(constValue(name)).toLowerCase(),
        value: String(constValue(value)),
        local: local.A_Const.boolval.boolval === true,
      },
    ];
  });
}

function setValue(args: PgNode[] | undefined): string | undefined {
  if (!args?.length) return undefined;
  return args.map((a) => String(constValue(a))).join(', ');
}

const TRANSACTION_OPS: Record<string, Extract<Change, { kind: 'transaction' }>['op']> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback-to',
  TRANS_STMT_PREPARE: 'prepare',
  TRANS_STMT_COMMIT_PREPARED: 'commit',
  TRANS_STMT_ROLLBACK_PREPARED: 'rollback',
};

const CREATE_NODES: Record<string, ObjectType> = {
  ViewStmt: 'view',
  CreateFunctionStmt: 'function',
  CreateSeqStmt: 'sequence',
  CompositeTypeStmt: 'type',
  CreateRangeStmt: 'type',
  CreateTrigStmt: 'trigger',
  CreateExtensionStmt: 'extension',
  CreateSchemaStmt: 'schema',
  CreatePolicyStmt: 'policy',
  RuleStmt: 'rule',
};

function createdName(type: string, s: PgNode): { name: QName; table?: QName; orReplace: boolean } {
  switch (type) {
    case 'ViewStmt':
      return { name: fromRangeVar(s.view), orReplace: s.replace === true };
    case 'CreateFunctionStmt':
      return { name: fromNameList(s.funcname ?? []), orReplace: s.replace === true };
    case 'CreateSeqStmt':
      return { name: fromRangeVar(s.sequence), orReplace: false };
    case 'CompositeTypeStmt':
      return { name: fromRangeVar(s.typevar), orReplace: false };
    case 'CreateRangeStmt':
      return { name: fromNameList(s.typeName ?? []), orReplace: false };
    case 'CreateTrigStmt':
      return { name: { name: s.trigname }, table: fromRangeVar(s.relation), orReplace: s.replace === true };
    case 'CreateExtensionStmt':
      return { name: { name: s.extname }, orReplace: false };
    case 'CreateSchemaStmt':
      return { name: { name: s.schemaname ?? '' }, orReplace: false };
    case 'CreatePolicyStmt':
      return { name: { name: s.policy_name }, table: fromRangeVar(s.table), orReplace: false };
    default:
      return { name: { name: s.rulename }, table: fromRangeVar(s.relation), orReplace: s.replace === true };
  }
}

/** The changes one statement makes. Unknown statements become `other`. */
export function normalizeStatement(statement: Statement): Change[] {
  const type = nodeType(statement.node);
  const s = statement.node[type];
  const index = statement.index;
  switch (type) {
    case 'CreateStmt': {
      const columns: ColumnSpec[] = [];
      const constraints: ConstraintSpec[] = [];
      let likes = false;
      const elts: PgNode[] = s.tableElts ?? [];
      // indexed loops: this runs for every new table, in code V8 does not optimize (bin/pgphase.cjs)
      for (let i = 0; i < elts.length; i++) {
        const elt = elts[i]!;
        if (elt.ColumnDef) columns.push(columnSpec(elt.ColumnDef));
        else if (elt.Constraint) {
          const spec = constraint(elt.Constraint);
          if (spec) constraints.push(spec);
        } else if (elt.TableLikeClause) likes = true;
      }
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i]!;
        if (c.kind !== 'primary-key' && c.kind !== 'not-null') continue;
        for (let k = 0; k < columns.length; k++) if (c.columns.includes(columns[k]!.name)) columns[k]!.notNull = true;
      }
      const table = fromRangeVar(s.relation);
      const change: Change = {
        statement: index,
        kind: 'create-table',
        table,
        columns,
        constraints,
        ifNotExists: s.if_not_exists === true,
        temporary: s.relation.relpersistence === 't',
      };
      if (s.partbound && s.inhRelations?.[0]?.RangeVar) change.partitionOf = fromRangeVar(s.inhRelations[0].RangeVar);
      if (s.partspec)
        change.partitionBy = (s.partspec.partParams ?? []).map((p: PgNode) => p.PartitionElem?.name ?? null);
      if ((!s.partbound && s.inhRelations?.length) || likes) change.copiesColumns = true;
      return [change];
    }
    case 'CreateTableAsStmt': {
      const table = fromRangeVar(s.into.rel);
      const ifNotExists = s.if_not_exists === true;
      if (s.objtype === 'OBJECT_MATVIEW') {
        return [
          {
            statement: index,
            kind: 'create-object',
            objectType: 'materialized view',
            name: table,
            orReplace: false,
            ifNotExists,
            reads: rangeVars(s.query),
          },
        ];
      }
      return [{ statement: index, kind: 'create-table-as', table, withData: s.into.skipData !== true, ifNotExists }];
    }
    case 'AlterTableStmt':
      if (s.objtype === 'OBJECT_TABLE' || s.objtype === undefined) return alterTable(s, index);
      return [{ statement: index, kind: 'other', node: `${type}:${s.objtype}` }];
    case 'RenameStmt':
      return [rename(s, index)];
    case 'DropStmt':
      if (s.removeType === 'OBJECT_PUBLICATION') {
        return (s.objects ?? []).map(
          (o: PgNode): Change => ({
            statement: index,
            kind: 'publication',
            name: o.String?.sval ?? '',
            op: 'drop',
            allTables: false,
            tables: [],
            schemas: [],
          }),
        );
      }
      return drop(s, index);
    case 'CreatePublicationStmt':
      return [publication(s, index, 'create')];
    case 'AlterPublicationStmt': {
      const op = PUBLICATION_OPS[s.action];
      return op && s.pubobjects ? [publication(s, index, op)] : [{ statement: index, kind: 'other', node: type }];
    }
    case 'IndexStmt': {
      const index_: Extract<Change, { kind: 'create-index' }>['index'] = {
        table: fromRangeVar(s.relation),
        unique: s.unique === true,
        columns: (s.indexParams ?? []).map((p: PgNode) => p.IndexElem?.name ?? null),
        elements: s.indexParams ?? [],
        include: s.indexIncludingParams ?? [],
        only: s.relation.inh !== true,
        method: s.accessMethod ?? 'btree',
      };
      if (s.idxname) index_.name = s.idxname;
      if (s.whereClause) index_.where = expr(s.whereClause);
      return [
        {
          statement: index,
          kind: 'create-index',
          index: index_,
          concurrently: s.concurrent === true,
          ifNotExists: s.if_not_exists === true,
        },
      ];
    }
    case 'ReindexStmt': {
      const concurrently = (s.params ?? []).some((p: PgNode) => p.DefElem?.defname === 'concurrently');
      const targetKind = (String(s.kind).replace('REINDEX_OBJECT_', '').toLowerCase() || 'table') as Extract<
        Change,
        { kind: 'reindex' }
      >['targetKind'];
      return [
        {
          statement: index,
          kind: 'reindex',
          targetKind,
          target: s.relation ? fromRangeVar(s.relation) : s.name ? { name: s.name } : undefined,
          concurrently,
        },
      ];
    }
    case 'CreateEnumStmt':
      return [{ statement: index, kind: 'create-enum', type: fromNameList(s.typeName ?? []), values: names(s.vals) }];
    case 'AlterEnumStmt': {
      const type_ = fromNameList(s.typeName ?? []);
      if (s.oldVal !== undefined)
        return [{ statement: index, kind: 'enum-rename-value', type: type_, value: s.oldVal, newValue: s.newVal }];
      const change: Change = { statement: index, kind: 'enum-add-value', type: type_, value: s.newVal };
      if (s.newValNeighbor !== undefined)
        change.neighbor = { value: s.newValNeighbor, after: s.newValIsAfter !== false };
      return [change];
    }
    case 'CreateDomainStmt':
      return [
        {
          statement: index,
          kind: 'create-domain',
          name: fromNameList(s.domainname ?? []),
          hasCheck: (s.constraints ?? []).some((c: PgNode) => c.Constraint?.contype === 'CONSTR_CHECK'),
        },
      ];
    case 'AlterDomainStmt':
      if (s.subtype === 'C')
        return [
          {
            statement: index,
            kind: 'alter-domain-add-constraint',
            name: fromNameList(s.typeName ?? []),
            notValid: s.def?.Constraint?.skip_validation === true,
          },
        ];
      if (s.subtype === 'V')
        return [
          {
            statement: index,
            kind: 'alter-domain-validate-constraint',
            name: fromNameList(s.typeName ?? []),
            constraint: s.name,
          },
        ];
      return [{ statement: index, kind: 'other', node: type }];
    case 'CreateForeignTableStmt':
      // a table whose rows live elsewhere: its columns are declared as CREATE TABLE declares them
      return normalizeStatement({ ...statement, node: { CreateStmt: s.base } });
    case 'SelectStmt': {
      // SELECT … INTO makes a table, as CREATE TABLE AS does
      if (s.intoClause)
        return [
          {
            statement: index,
            kind: 'create-table-as',
            table: fromRangeVar(s.intoClause.rel),
            withData: true,
            ifNotExists: false,
          },
        ];
      const changes = [...cteDataChanges(s, index), ...setConfigs(s, index)];
      return changes.length ? changes : [{ statement: index, kind: 'other', node: type }];
    }
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt':
    case 'MergeStmt':
      return [dataChange(type, s, index), ...cteDataChanges(s, index)];
    case 'TruncateStmt':
      return (s.relations ?? []).map(
        (r: PgNode): Change => ({
          statement: index,
          kind: 'truncate',
          table: fromRangeVar(r.RangeVar),
          cascade: s.behavior === 'DROP_CASCADE',
        }),
      );
    case 'VariableSetStmt':
      return [
        {
          statement: index,
          kind: 'set',
          name: s.name ?? '',
          value: s.kind === 'VAR_SET_VALUE' ? setValue(s.args) : undefined,
          local: s.is_local === true,
        },
      ];
    case 'TransactionStmt': {
      const op = TRANSACTION_OPS[s.kind];
      return op ? [{ statement: index, kind: 'transaction', op }] : [{ statement: index, kind: 'other', node: type }];
    }
    case 'LockStmt':
      return (s.relations ?? []).map(
        (r: PgNode): Change => ({
          statement: index,
          kind: 'lock-table',
          table: fromRangeVar(r.RangeVar),
          // PostgreSQL numbers the modes from 1, weakest first
          mode: LOCK_MODES[(s.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE',
        }),
      );
    case 'VacuumStmt': {
      const full = (s.options ?? []).some((o: PgNode) => o.DefElem?.defname === 'full' && isOn(o.DefElem));
      if (!full || s.is_vacuumcmd !== true) return [{ statement: index, kind: 'other', node: type }];
      // without a table, VACUUM FULL rewrites every table of the database
      const rels: PgNode[] = s.rels ?? [];
      if (rels.length === 0)
        return [{ statement: index, kind: 'table-rewrite', table: { name: '' }, how: 'vacuum full' }];
      return rels.map(
        (r: PgNode): Change => ({
          statement: index,
          kind: 'table-rewrite',
          table: fromRangeVar(r.VacuumRelation.relation),
          how: 'vacuum full',
        }),
      );
    }
    case 'ClusterStmt':
      return [
        {
          statement: index,
          kind: 'table-rewrite',
          table: s.relation ? fromRangeVar(s.relation) : { name: '' },
          how: 'cluster',
        },
      ];
    case 'RefreshMatViewStmt':
      return [
        {
          statement: index,
          kind: 'refresh-matview',
          view: fromRangeVar(s.relation),
          concurrently: s.concurrent === true,
        },
      ];
    case 'CommentStmt': {
      if (s.objtype === 'OBJECT_COLUMN' && s.object?.List) {
        const items = s.object.List.items as PgNode[];
        const table = fromNameList(items.slice(0, -1));
        return [
          {
            statement: index,
            kind: 'column-comment',
            table,
            column: items[items.length - 1]!.String.sval,
            text: s.comment,
          },
        ];
      }
      return [
        {
          statement: index,
          kind: 'comment',
          target: String(s.objtype ?? '')
            .replace(/^OBJECT_/, '')
            .toLowerCase(),
        },
      ];
    }
    case 'DefineStmt':
      return [
        {
          statement: index,
          kind: 'create-object',
          objectType:
            s.kind === 'OBJECT_AGGREGATE' ? 'aggregate' : s.kind === 'OBJECT_COLLATION' ? 'collation' : 'type',
          name: fromNameList(s.defnames ?? []),
          orReplace: s.replace === true,
          ifNotExists: s.if_not_exists === true,
        },
      ];
    default: {
      const objectType = CREATE_NODES[type];
      if (objectType) {
        const created = createdName(type, s);
        const change: Change = {
          statement: index,
          kind: 'create-object',
          objectType,
          name: created.name,
          orReplace: created.orReplace,
          ifNotExists: s.if_not_exists === true,
        };
        if (type === 'CreateTrigStmt' && s.isconstraint === true) change.constraintTrigger = true;
        if (type === 'CreateTrigStmt')
          change.trigger = {
            events: s.events ?? 0,
            columns: (s.columns ?? []).map((c: PgNode) => c.String.sval as string),
          };
        if (created.table) change.table = created.table;
        if (type === 'ViewStmt') change.reads = rangeVars(s.query);
        if (type === 'CreateFunctionStmt' && fromNameList(s.returnType?.names ?? []).name === 'trigger')
          change.returnsTrigger = true;
        if (type === 'CreateFunctionStmt') change.returns = fingerprint(s.returnType ?? null);
        change.definition = new LazyFingerprint({ ...s, replace: undefined });
        return [change];
      }
      return [{ statement: index, kind: 'other', node: type }];
    }
  }
}

/** What a DO block's statements are read for: the schema they change and the locks that takes.
 *  Not its data changes, settings or transaction control, whose batching a block decides itself. */
const NOT_READ_IN_DO: ReadonlySet<Change['kind']> = new Set(['other', 'data-change', 'set', 'transaction']);

/** The first words of the statements whose changes a DO block's body is read for. Every statement
 *  that makes a change other than those of NOT_READ_IN_DO begins with one of them (SELECT … INTO,
 *  which makes a table in SQL, sets variables in PL/pgSQL); test/lint/do-blocks.test.ts has one
 *  of each kind. A body in which none stands as a word, anywhere, runs no such statement: its
 *  PL/pgSQL parse is skipped (44 of the 170 DO blocks of the real histories; −0.9% of a lint). */
const SCHEMA_WORDS = /\b(?:create|alter|drop|truncate|lock|reindex|cluster|vacuum|refresh|comment)\b/i;

/** Whether a PL/pgSQL body may run a statement whose changes a DO block is read for (see SCHEMA_WORDS). */
export function mayChangeSchema(body: string): boolean {
  return SCHEMA_WORDS.test(body);
}

/** Removes the positions a change has in the text it was parsed from (a DO block's statement, not the file). */
function withoutPositions(change: Change): Change {
  if (change.kind === 'create-table') for (const c of change.columns) delete c.at;
  if (change.kind === 'add-column') delete change.column.at;
  if (change.kind === 'alter-column-type') delete change.at;
  return change;
}

/**
 * The changes a statement makes as lint and the schema model read it: its own, and for a
 * `DO` block in PL/pgSQL the schema changes of the statements its body runs as written
 * (drizzle-kit writes every foreign key so: `DO $$ BEGIN ALTER TABLE … ADD CONSTRAINT …;
 * EXCEPTION WHEN duplicate_object THEN null; END $$`), as changes of the DO statement. What the
 * body builds as a string for EXECUTE is not read. The planner keeps a DO block as written.
 */
export function readStatement(statement: Statement): Change[] {
  const changes = normalizeStatement(statement);
  if (nodeType(statement.node) !== 'DoStmt') return changes;
  const s = statement.node.DoStmt;
  const args: Array<PgNode | undefined> = (s.args ?? []).map((a: PgNode) => a.DefElem);
  const language = args.find((a) => a?.defname === 'language')?.arg?.String?.sval ?? 'plpgsql';
  const body = args.find((a) => a?.defname === 'as')?.arg?.String?.sval;
  if (language !== 'plpgsql' || typeof body !== 'string' || !mayChangeSchema(body)) return changes;
  const inner = plpgsqlStatements(body).flatMap((sql) => {
    let nodes: PgNode[];
    try {
      nodes = parseStatementNodes(sql);
    } catch {
      return [];
    }
    return nodes
      .flatMap((node) => normalizeStatement({ ...statement, node }))
      .filter((c) => !NOT_READ_IN_DO.has(c.kind));
  });
  return [...changes, ...inner.map(withoutPositions)];
}
