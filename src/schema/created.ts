// CreatedHere: what a migration has created so far, as the rules and the planner see it.
import { DEFAULT_SCHEMA, qkey, type QName } from '../sql/names.js';
import type { Change } from '../sql/changes.js';
import type { SchemaModel } from './model.js';

/**
 * What a migration has created so far. A table created earlier in the same migration has no
 * traffic and no rows; a column added there, or an object (view, type, function …) created or
 * renamed there, has no user in the running version, which cannot use what did not exist before
 * the migration. A name the migration vacated (dropped, or renamed away) is in use by the running
 * version, so whatever takes that name later is not new to it.
 */
export class CreatedHere {
  private readonly tables = new NameSet();
  private readonly objects = new NameSet();
  private readonly columns = new Set<string>();
  private readonly vacatedObjects = new NameSet();
  private readonly vacatedColumns = new Set<string>();

  // each rule asks of every change it looks at
  isNewTable(table: QName): boolean {
    return this.tables.has(table);
  }

  isNewObject(name: QName): boolean {
    return this.objects.has(name);
  }

  /** A column added to an existing table earlier in this migration (under this name). */
  isNewColumn(table: QName, column: string): boolean {
    return this.columns.size > 0 && this.columns.has(columnKey(table, column));
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
        this.tables.add(change.table);
        return;
      case 'rename-table':
        if (this.isNewTable(change.table)) this.tables.add({ ...change.table, name: change.newName });
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
        if (!this.objects.delete(change.name)) this.vacatedObjects.add(change.name);
        this.createObject({ ...change.name, name: change.newName });
        return;
      }
      case 'drop-object':
        if (!this.objects.delete(change.name)) this.vacatedObjects.add(change.name);
        return;
      case 'add-column':
        if (!this.isNewTable(change.table) && !this.vacatedColumns.has(columnKey(change.table, change.column.name)))
          this.columns.add(columnKey(change.table, change.column.name));
        return;
      case 'rename-column': {
        const from = columnKey(change.table, change.column);
        const to = columnKey(change.table, change.newName);
        if (!this.columns.delete(from)) this.vacatedColumns.add(from);
        else if (!this.vacatedColumns.has(to)) this.columns.add(to);
        return;
      }
      case 'drop-column':
        if (!this.columns.delete(columnKey(change.table, change.column)))
          this.vacatedColumns.add(columnKey(change.table, change.column));
        return;
      default:
        return;
    }
  }

  /** An object under a name nothing had, or one this migration vacated (which the running version uses). */
  private createObject(name: QName): void {
    if (!this.vacatedObjects.has(name)) this.objects.add(name);
  }
}

/** A set of qualified names, by name and then schema: asking builds no key string. */
class NameSet {
  private readonly schemas = new Map<string, Set<string>>();

  has(q: QName): boolean {
    return this.schemas.size > 0 && this.schemas.get(q.name)?.has(q.schema ?? DEFAULT_SCHEMA) === true;
  }

  add(q: QName): void {
    let schemas = this.schemas.get(q.name);
    if (!schemas) this.schemas.set(q.name, (schemas = new Set()));
    schemas.add(q.schema ?? DEFAULT_SCHEMA);
  }

  delete(q: QName): boolean {
    return this.schemas.get(q.name)?.delete(q.schema ?? DEFAULT_SCHEMA) ?? false;
  }
}

function columnKey(table: QName, column: string): string {
  return `${qkey(table)}\u0000${column}`;
}

/** Whether the schema model already has the table, view or column a create would make (it does not track other objects). */
export function known(change: Change, schema: SchemaModel): boolean {
  if (change.kind === 'create-table' || change.kind === 'create-table-as')
    return schema.table(change.table) !== undefined;
  if (change.kind === 'add-column') return schema.column(change.table, change.column.name) !== undefined;
  if (change.kind === 'create-object' && (change.objectType === 'view' || change.objectType === 'materialized view'))
    return schema.views.has(qkey(change.name));
  return false;
}
