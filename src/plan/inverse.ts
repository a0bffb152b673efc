// How to undo a change that goes into a phase as written, when PostgreSQL can take it back.
import { changeTable, type Change } from '../sql/changes.js';
import { quoteIdent, quoteQualified } from '../sql/names.js';
import type { SchemaModel } from '../schema/model.js';
import { constraintSql } from './constraint-sql.js';
import { defaultSql } from './sql.js';

/** SQL that undoes the change, given the schema before it; undefined when there is none. */
export function inverseOf(change: Change, schema: SchemaModel): string | undefined {
  const table = changeTable(change);
  const t = table ? quoteQualified(table) : '';
  switch (change.kind) {
    case 'create-table':
    case 'create-table-as':
      return `DROP TABLE IF EXISTS ${t}`;
    case 'add-column':
      return `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${quoteIdent(change.column.name)}`;
    case 'create-index': {
      const name = change.index.name;
      return name
        ? `DROP INDEX ${change.concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${quoteQualified({ ...change.index.table, name })}`
        : undefined;
    }
    case 'drop-not-null':
      return `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(change.column)} SET NOT NULL`;
    case 'set-default':
    case 'drop-default': {
      const old = schema.column(change.table, change.column);
      return `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(change.column)} ${old?.default ? `SET DEFAULT ${defaultSql(old.default.node, old.type)}` : 'DROP DEFAULT'}`;
    }
    case 'add-constraint':
      return change.constraint.name
        ? `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(change.constraint.name)}`
        : undefined;
    case 'drop-constraint': {
      // a CHECK comes back as it was: added NOT VALID, then validated (which fails on a row the new version wrote that it forbids)
      const c = schema.table(change.table)?.constraints.get(change.name);
      const name = quoteIdent(change.name);
      return c?.kind === 'check'
        ? `ALTER TABLE ${t} ADD CONSTRAINT ${name} ${constraintSql(c)}${c.validated ? `;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${name}` : ''}`
        : undefined;
    }
    case 'create-enum':
      return `DROP TYPE IF EXISTS ${quoteQualified(change.type)}`;
    case 'create-object':
      if (change.orReplace) return undefined;
      if (
        change.objectType === 'view' ||
        change.objectType === 'materialized view' ||
        change.objectType === 'sequence' ||
        change.objectType === 'type' ||
        change.objectType === 'schema'
      ) {
        return `DROP ${change.objectType.toUpperCase()} IF EXISTS ${change.objectType === 'schema' ? quoteIdent(change.name.name) : quoteQualified(change.name)}`;
      }
      if (change.objectType === 'trigger' && change.table)
        return `DROP TRIGGER IF EXISTS ${quoteIdent(change.name.name)} ON ${quoteQualified(change.table)}`;
      return undefined;
    default:
      return undefined;
  }
}
