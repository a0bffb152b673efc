// What a plan leaves in the schema after each phase, for verify to look up in the catalog: the
// objects the schema model has after the phase and did not have before the plan (a column
// also when its type changed, a function when it is defined again; nothing in pg_temp, which
// ends with the session). Verify checks them besides the phase records, so a database another
// tool migrated to the same shape passes, and one whose records lie does not.
import { DEFAULT_SCHEMA, quoteIdent, unqkey } from '../sql/names.js';
import type { TypeRef } from '../sql/changes.js';
import type { SchemaModel } from '../schema/model.js';
import type { SchemaObject } from './types.js';

/** A name as `to_regtype` reads it: quoted unless PostgreSQL would fold it to itself. */
function regName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

/** The type for `to_regtype`: its modifiers left out (verify compares type OIDs). */
function regType(type: TypeRef): string {
  return `${type.schema ? `${regName(type.schema)}.` : ''}${regName(type.name)}${type.array ? '[]' : ''}`;
}

const sameType = (a: TypeRef, b: TypeRef) => regType(a) === regType(b);

/** The objects of `after` that `start` does not have, in a stable order. */
export function presentObjects(start: SchemaModel, after: SchemaModel): SchemaObject[] {
  const out: SchemaObject[] = [];
  for (const [key, table] of after.tables) {
    const before = start.tables.get(key);
    if (!before) out.push({ kind: 'relation', schema: table.schema, name: table.name });
    for (const column of table.columns.values()) {
      const old = before?.columns.get(column.name);
      if (!old || !sameType(old.type, column.type))
        out.push({
          kind: 'column',
          schema: table.schema,
          table: table.name,
          name: column.name,
          type: regType(column.type),
        });
    }
    for (const name of table.constraints.keys()) {
      if (!before?.constraints.has(name))
        out.push({ kind: 'constraint', schema: table.schema, table: table.name, name });
    }
  }
  for (const [key, index] of after.indexes)
    if (!start.indexes.has(key)) out.push({ kind: 'relation', schema: index.schema, name: index.name });
  for (const key of after.views.keys()) if (!start.views.has(key)) out.push({ kind: 'relation', ...unqkey(key) });
  for (const [key, object] of after.objects) {
    const before = start.objects.get(key);
    const schema = object.name.schema ?? DEFAULT_SCHEMA;
    if (schema === 'pg_temp') continue;
    // a function also when the plan defines it again: a live database's schema names only its trigger functions
    if (
      (object.type === 'function' || object.type === 'procedure') &&
      before?.definition?.text !== object.definition?.text
    )
      out.push({ kind: 'function', schema, name: object.name.name });
    if (object.type === 'trigger' && object.table && !before)
      out.push({
        kind: 'trigger',
        schema: unqkey(object.table).schema,
        table: unqkey(object.table).name,
        name: object.name.name,
      });
  }
  const order = (o: SchemaObject) => JSON.stringify([o.kind, o.schema, 'table' in o ? o.table : '', o.name]);
  return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}
