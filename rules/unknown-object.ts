import { defineRule } from '../src/lint/rule.js';
import { changeTable, type Change } from '../src/sql/changes.js';
import { DEFAULT_SCHEMA, qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';
import type { SchemaModel } from '../src/schema/model.js';
import { nodeOf } from '../src/sql/node.js';

const NO_COLUMNS: readonly string[] = [];

/** The existing columns a change names, which PostgreSQL looks up (and fails on when missing); `null` for
 *  an index's expression. */
function namedColumns(change: Change): readonly (string | null)[] {
  // the changes about one existing column name it in `column` (ADD COLUMN's is the new column's spec)
  if ('column' in change && typeof change.column === 'string')
    return change.kind === 'drop-column' && change.ifExists ? NO_COLUMNS : [change.column];
  if (change.kind === 'create-index') return change.index.columns;
  if (change.kind === 'data-change' && change.op === 'update') return change.setColumns;
  return NO_COLUMNS;
}

/** Whether a change needs a table of that name to exist: everything that names one, except what creates it,
 *  may skip it, or also works on a view or sequence the model may not know (LOCK, owner and other settings). */
function needsTable(change: Change): boolean {
  switch (change.kind) {
    case 'create-table':
    case 'create-table-as':
    case 'lock-table':
    case 'alter-table-other':
      return false;
    case 'drop-table':
      return !change.ifExists;
    default:
      return true;
  }
}

/** The schemas the history defines tables in: of another schema (made by an extension or another tool) it knows nothing. */
function describedSchemas(schema: SchemaModel): Set<string> {
  return new Set([...schema.tables.values()].map((t) => t.schema));
}

/** The tables migration tools keep their own records in, which they create before the first migration. */
const TOOL_TABLES: ReadonlySet<string> = new Set([
  'schema_migrations', // golang-migrate, dbmate, Rails
  '_prisma_migrations',
  '__diesel_schema_migrations',
  'flyway_schema_history',
  'schema_version', // Flyway before 5
  'goose_db_version',
  'gorp_migrations', // sql-migrate
  'pgmigrations', // node-pg-migrate
  'knex_migrations',
  '_sqlx_migrations',
  'atlas_schema_revisions',
  'databasechangelog', // Liquibase
]);

/** A name PostgreSQL resolves outside the history's schemas: a system catalog (pg_catalog is searched first) or a tool's table. */
function elsewhere(table: QName): boolean {
  const schema = table.schema ?? DEFAULT_SCHEMA;
  if (schema === 'pg_catalog' || schema === 'information_schema') return true;
  return table.schema === undefined && (table.name.startsWith('pg_') || TOOL_TABLES.has(table.name));
}

export default defineRule({
  meta: {
    id: 'unknown-object',
    category: 'robustness',
    severity: 'warning',
    description:
      'A statement on a table or column that the whole migration history never creates (a misspelled name, or an object made outside the migrations)',
    messages: {
      table: {
        message:
          'No migration before this statement creates table {{table}} (nor does the given schema): the statement fails with "relation does not exist", unless the name is misspelled here or the table is made outside these migrations',
        help: 'Correct the table name; if the table is made outside these migrations, give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`',
      },
      column: {
        message:
          'Table {{table}} has no column {{column}} after the earlier migrations: the statement fails with "column does not exist", unless the name is misspelled here or the column is made outside these migrations',
        help: 'Correct the column name; if the column is made outside these migrations, give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`',
      },
    },
  },
  create(context) {
    // Only where the whole history is known, and only for what the schema model keeps completely:
    // tables of schemas the history defines tables in, and columns of tables whose columns it lists.
    let schemas: Set<string> | undefined;
    // ALTER TABLE IF EXISTS, ALTER … RENAME IF EXISTS skip a missing table; ALTER INDEX, VIEW, SEQUENCE … name no table
    // (asked only before a finding: most changes name what exists)
    const skipsMissing = () => {
      const [, node] = nodeOf(context.statement.node);
      return (
        node?.missing_ok === true ||
        (context.statement.node.AlterTableStmt !== undefined && node?.objtype !== 'OBJECT_TABLE')
      );
    };
    const check = (change: Change): void => {
      const table: QName | undefined = changeTable(change);
      if (!table || !needsTable(change) || context.isNewTable(table)) return;
      // the schema and the table's qkey read once for the lookups below: this runs for every change,
      // in code V8 does not optimize (bin/pgphase.cjs)
      const schema = context.schema;
      const key = qkey(table);
      const known = schema.tables.get(key);
      if (!known) {
        if (schema.views.has(key) || elsewhere(table)) return;
        schemas ??= describedSchemas(schema);
        if (schemas.has(table.schema ?? DEFAULT_SCHEMA) && !skipsMissing())
          context.report({ messageId: 'table', data: { table: quoteQName(table) } });
        return;
      }
      // a table made by CREATE TABLE AS, LIKE, INHERITS or PARTITION OF has columns the model does not list
      if (schema.partialColumns.has(key)) return;
      const columns = namedColumns(change);
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i];
        // an index's expression names none; a column named twice is reported once
        if (
          typeof column === 'string' &&
          columns.indexOf(column) === i &&
          !known.columns.has(column) &&
          !skipsMissing()
        )
          context.report({ messageId: 'column', data: { table: quoteQName(table), column: quoteIdent(column) } });
      }
    };
    // the same for the whole file: read once, not for every change
    let historyKnown = false;
    return {
      file() {
        schemas = undefined;
        historyKnown = context.historyKnown;
      },
      change(change) {
        if (!historyKnown) return;
        check(change);
        // the schemas with tables change only when a table comes or goes: computed again after such a change
        if (
          change.kind === 'create-table' ||
          change.kind === 'create-table-as' ||
          change.kind === 'drop-table' ||
          change.kind === 'rename-table'
        )
          schemas = undefined;
      },
    };
  },
});
