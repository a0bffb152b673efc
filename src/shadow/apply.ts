// Builds a schema on a shadow database for real: a history's migration files run as their
// tool runs them (its transaction model), or a `pg_dump --schema-only` file run as psql would.
import { readFile } from '../files.js';
import { resolve } from 'node:path';
import type pg from 'pg';
import type { MigrationFile } from '../discover/index.js';
import { discoverSet, Discovery, type LayoutName } from '../discover/index.js';
import { InputError } from '../errors.js';
import { withoutMetaCommands } from '../schema/dump.js';
import { quoteIdent } from '../sql/names.js';
import { loadParser, parseSource, type PgNode, type Statement } from '../sql/source.js';
import { connect } from '../runner/connect.js';

/** SQL a shadow database refused, naming the file and the place. */
export class ShadowError extends InputError {}

/**
 * Runs one migration file as its tool would: in a transaction of its own (`per-file`), as one
 * query string (`implicit`: PostgreSQL runs it as one implicit transaction), or statement by
 * statement (`none`). A statement PostgreSQL refuses is a ShadowError naming file:line.
 */
export async function applyFile(
  url: string,
  file: Pick<MigrationFile, 'path' | 'text' | 'transaction'>,
): Promise<void> {
  const client = await connect(url);
  try {
    await runFile(client, file);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The roles a file's statements name without creating them: those it grants to, grants, makes
 * owners, gives a schema or a policy to (`GRANT … TO app`, `GRANT app TO …`, `OWNER TO app`,
 * `AUTHORIZATION app`, `CREATE POLICY … TO app`).
 */
function rolesNamed(statements: readonly Statement[]): Set<string> {
  const named = new Set<string>();
  const created = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node && typeof node === 'object') {
      const n = node as PgNode;
      if (n.RoleSpec?.roletype === 'ROLESPEC_CSTRING' && typeof n.RoleSpec.rolename === 'string')
        named.add(n.RoleSpec.rolename);
      if (typeof n.CreateRoleStmt?.role === 'string') created.add(n.CreateRoleStmt.role);
      for (const granted of n.GrantRoleStmt?.granted_roles ?? [])
        if (typeof granted.AccessPriv?.priv_name === 'string') named.add(granted.AccessPriv.priv_name);
      for (const key in n) walk(n[key]);
    }
  };
  for (const s of statements) walk(s.node);
  for (const role of created) named.delete(role);
  return named;
}

/**
 * Creates, NOLOGIN, the roles a file names that the shadow server lacks: an application's roles
 * (its migrations grant to them) exist on its own servers, not on a shadow one. Roles belong to
 * the server, not to the shadow database: they stay for the next proof. Without the right to
 * create them, the statement that names one fails as it would have.
 */
export async function createRoles(client: pg.ClientBase, statements: readonly Statement[]): Promise<void> {
  const named = [...rolesNamed(statements)];
  if (named.length === 0) return;
  const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [
    named,
  ]);
  const present = new Set(rows.map((r) => r.rolname));
  for (const role of named)
    if (!present.has(role))
      // another proof may create it first (duplicate_object); without CREATEROLE, the statement naming it says so
      await client.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`).catch(() => undefined);
}

async function runFile(client: pg.Client, file: Pick<MigrationFile, 'path' | 'text' | 'transaction'>): Promise<void> {
  await loadParser();
  const source = parseSource(file.path, file.text);
  if (source.syntaxError) {
    const { line, column } = source.syntaxError.location;
    throw new ShadowError(`${file.path}:${line}:${column}: ${source.syntaxError.message}`);
  }
  await createRoles(client, source.statements);
  if (file.transaction === 'implicit') {
    await client.query(file.text).catch((error: Error & { position?: string }) => {
      const at =
        error.position === undefined
          ? ''
          : `:${source.lines.position(source.lines.byteOffsetOfCodePoint(Number(error.position) - 1)).line}`;
      throw new ShadowError(`${file.path}${at}: PostgreSQL refused it: ${error.message}`);
    });
    return;
  }
  if (file.transaction === 'per-file') await client.query('BEGIN');
  for (const s of source.statements) {
    await client.query(s.text).catch(async (error: Error) => {
      if (file.transaction === 'per-file') await client.query('ROLLBACK').catch(() => undefined);
      throw new ShadowError(`${file.path}:${s.location.line}: PostgreSQL refused it: ${error.message}`);
    });
  }
  if (file.transaction === 'per-file') await client.query('COMMIT');
}

/** The tables a migration tool keeps its own records in, which some migrations read or change. */
const TOOL_TABLES: Partial<Record<LayoutName, string>> = {
  diesel:
    'CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)',
  'golang-migrate':
    'CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY NOT NULL, dirty boolean NOT NULL)',
};

/** Creates the tool's own table of a layout in the database, as the tool does before it runs a migration. */
export async function prepareForTool(url: string, layout: LayoutName): Promise<void> {
  const ddl = TOOL_TABLES[layout];
  if (ddl === undefined) return;
  const client = await connect(url);
  await client.query(ddl).finally(() => client.end());
}

/** Runs the files of the history in `dir` that come before `before` (all of them without it). */
export async function applyHistory(url: string, dir: string, before?: string, cwd = process.cwd()): Promise<number> {
  const set = await discoverSet(dir, undefined, new Discovery(cwd));
  await prepareForTool(url, set.layout);
  const client = await connect(url);
  let n = 0;
  try {
    for (const file of set.files) {
      if (file.absPath === before) break;
      // a file of its own session: what one file SETs does not leak into the next
      await client.query('RESET ALL; SET SESSION AUTHORIZATION DEFAULT');
      await runFile(client, file);
      n++;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return n;
}

/** Runs a `pg_dump --schema-only` file statement by statement, as psql would. */
export async function applyDump(url: string, path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read schema file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await applyFile(url, { path, text: withoutMetaCommands(text), transaction: 'none' });
}

/** Where a starting schema comes from; paths as the user gave them (relative to the caller's cwd). */
export interface ShadowStart {
  history?: string;
  schemaFile?: string;
  databaseUrl?: string;
}

/**
 * Builds a starting schema into the (new, empty) database at `url`: a schema dump, or the
 * schema of a live database as pgphase reads it (read-only), then the history's files that come
 * before `file` (all of them without it).
 */
export async function buildStart(
  url: string,
  start: ShadowStart,
  file: string | undefined,
  cwd = process.cwd(),
): Promise<void> {
  if (start.schemaFile !== undefined) await applyDump(url, resolve(cwd, start.schemaFile));
  else if (start.databaseUrl !== undefined) {
    const { catalogDdl } = await import('../runner/introspect.js');
    const live = await connect(start.databaseUrl);
    const ddl = await catalogDdl(live).finally(() => live.end());
    await applyFile(url, {
      path: 'the schema of --database-url',
      text: ddl.map((s) => `${s};`).join('\n'),
      transaction: 'per-file',
    });
  }
  if (start.history !== undefined)
    await applyHistory(url, resolve(cwd, start.history), file === undefined ? undefined : resolve(cwd, file), cwd);
}
