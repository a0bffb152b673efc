// The names a migration frees and takes again. A name dropped (or renamed away) and created
// again later in the same migration is a replacement: the planner must not move the drop to
// contract and leave the creation in expand, which runs first.
import { changeTable, type Change } from '../sql/changes.js';
import {
  constraintName,
  defaultName,
  indexColumnNames,
  qkey,
  quoteQualified,
  unqkey,
  type QName,
} from '../sql/names.js';
import type { SchemaModel } from '../schema/model.js';
import type { Step } from './types.js';

/** The namespace and name of an object, as one key: two objects with the same key cannot exist at once. */
function nameKey(kind: string, scope: QName | undefined, name: string): string {
  return `${kind}\u0000${scope ? qkey(scope) : ''}\u0000${name}`;
}

/** What a change is about to the application: a view or function by name, a trigger on its table. */
function objectKey(objectType: string, name: QName, table: QName | undefined): string {
  if (objectType === 'trigger' || objectType === 'policy' || objectType === 'rule')
    return nameKey(objectType, table, name.name);
  // views, materialized views, sequences, indexes and tables share one namespace per schema
  const relation = ['view', 'materialized view', 'sequence', 'index', 'table'].includes(objectType);
  // so do functions and procedures, and types and domains
  const kind = relation
    ? 'relation'
    : objectType === 'procedure'
      ? 'function'
      : objectType === 'domain'
        ? 'type'
        : objectType;
  return nameKey(kind, { ...(name.schema !== undefined && { schema: name.schema }), name: '' }, name.name);
}

/** The names a change frees (drops, or renames away). A unique, primary key or exclusion constraint
 *  (`indexed`) frees the name of its index too, which is its own: dropped, `CREATE UNIQUE INDEX` of
 *  that name and `ADD CONSTRAINT … USING INDEX` replace it in two statements. */
export function freedNames(change: Change, indexed: boolean): string[] {
  switch (change.kind) {
    case 'drop-constraint':
    case 'rename-constraint': {
      const constraint = nameKey('constraint', change.table, change.name);
      if (!indexed) return [constraint];
      const index = { ...(change.table.schema !== undefined && { schema: change.table.schema }), name: change.name };
      return [constraint, objectKey('index', index, undefined)];
    }
    case 'drop-index':
      return [objectKey('index', change.index, undefined)];
    case 'drop-object':
      return [objectKey(change.objectType, change.name, change.table)];
    case 'drop-column':
    case 'rename-column':
      return [nameKey('column', change.table, change.column)];
    case 'drop-table':
    case 'rename-table':
      return [objectKey('table', change.table, undefined)];
    case 'rename-object':
      return [objectKey(change.objectType, change.name, undefined)];
    default:
      return [];
  }
}

/** The name a change takes (creates, or renames to), if any. */
export function takenName(change: Change): string | undefined {
  switch (change.kind) {
    case 'add-constraint':
      return nameKey('constraint', change.table, constraintName(change.table.name, change.constraint));
    case 'rename-constraint':
      return nameKey('constraint', change.table, change.newName);
    case 'create-index': {
      const spec = change.index;
      const name =
        spec.name ?? defaultName(spec.table.name, indexColumnNames([...spec.elements, ...spec.include]), 'idx');
      return objectKey(
        'index',
        { ...(spec.table.schema !== undefined && { schema: spec.table.schema }), name },
        undefined,
      );
    }
    case 'create-object':
      return objectKey(change.objectType, change.name, change.table);
    case 'create-enum':
      return objectKey('type', change.type, undefined);
    case 'create-domain':
      return objectKey('type', change.name, undefined);
    case 'create-table':
    case 'create-table-as':
      return objectKey('table', change.table, undefined);
    case 'rename-table':
      return objectKey('table', { ...change.table, name: change.newName }, undefined);
    case 'rename-object':
      return objectKey(change.objectType, { ...change.name, name: change.newName }, undefined);
    case 'add-column':
      return nameKey('column', change.table, change.column.name);
    case 'rename-column':
      return nameKey('column', change.table, change.newName);
    default:
      return undefined;
  }
}

export interface Reuse {
  key: string;
  /** Positions in the migration's list of changes. */
  drop: number;
  create: number;
}

export interface Reuses {
  /** By the position of the change that frees the names: one for each name taken again. */
  byDrop: Map<number, Reuse[]>;
  /** By the position of the change that takes it again. */
  byCreate: Map<number, Reuse>;
}

/** The replacements of a migration, given its changes in order; `dropsNothing` (called for each in
 *  order) tells a drop that frees no name (IF EXISTS of what is not there), `indexed` a constraint
 *  change whose constraint has an index (`freedNames`). */
export function reusedNames(
  changes: readonly Change[],
  dropsNothing: (change: Change) => boolean = () => false,
  indexed: (change: Change) => boolean = () => false,
): Reuses {
  const freed = new Map<string, number>();
  const reuses: Reuses = { byDrop: new Map(), byCreate: new Map() };
  changes.forEach((change, i) => {
    const taken = takenName(change);
    const drop = taken === undefined ? undefined : freed.get(taken);
    if (taken !== undefined && drop !== undefined) {
      const reuse = { key: taken, drop, create: i };
      reuses.byDrop.set(drop, [...(reuses.byDrop.get(drop) ?? []), reuse]);
      reuses.byCreate.set(i, reuse);
      freed.delete(taken);
    }
    if (!dropsNothing(change))
      for (const name of freedNames(change, indexed(change))) if (!freed.has(name)) freed.set(name, i);
  });
  return reuses;
}

/** The drop of a replaced object, moved to where its replacement is swapped in. */
export interface DeferredDrop {
  sql: string;
  /** Written with CASCADE: it may drop what the old version uses, so it never runs before contract. */
  cascade: boolean;
  /** What the dropped object needs gone before it (a view: the columns of the tables it reads; a foreign key: the key it references), as carry keys. */
  dependsOn: Set<string>;
  /** The step that runs the drop, once one does; the creation is added to its end. */
  carrier?: Step;
  /** It frees more than one name that the migration takes again (a key's constraint and index): the
   *  first creation runs it, the others' contract steps join that step. */
  shared: boolean;
}

/** Drops that wait for their replacement: a constraint, an index, a view, trigger or function, a column. */
export const DEFERRABLE: ReadonlySet<Change['kind']> = new Set([
  'drop-constraint',
  'drop-index',
  'drop-object',
  'drop-column',
]);

/** The SQL of a drop moved into a swap transaction: an index is dropped in it, not concurrently. */
export function dropSql(change: Change, sql: string | undefined): string | undefined {
  if (change.kind !== 'drop-index') return sql;
  return `DROP INDEX ${change.ifExists ? 'IF EXISTS ' : ''}${quoteQualified(change.index)}${change.cascade ? ' CASCADE' : ''}`;
}

/** The key under which a swap step carries the drops that depend on what it drops. */
export function carryKey(what: 'columns' | 'key', table: QName): string {
  return `${what}\u0000${qkey(table)}`;
}

/** What must be dropped after the object a deferred drop removes: its carry keys. */
export function dependencies(change: Change, schema: SchemaModel): Set<string> {
  if (change.kind === 'drop-object')
    return new Set(
      [...(schema.views.get(qkey(change.name))?.reads ?? [])].map((table) => carryKey('columns', unqkey(table))),
    );
  const fk = change.kind === 'drop-constraint' ? schema.table(change.table)?.constraints.get(change.name) : undefined;
  return new Set(fk?.kind === 'foreign-key' ? [carryKey('key', fk.references!.table)] : []);
}

/** The object a change creates, for a message. */
export function describeName(change: Change): string {
  const table = changeTable(change);
  if (change.kind === 'create-table') return `table ${quoteQualified(change.table)}`;
  if (change.kind === 'create-object' || change.kind === 'create-domain')
    return `${change.kind === 'create-domain' ? 'domain' : change.objectType} ${quoteQualified(change.name)}`;
  if (change.kind === 'create-enum') return `type ${quoteQualified(change.type)}`;
  return table ? `this ${change.kind.replace(/-/g, ' ')} on ${quoteQualified(table)}` : 'this object';
}
