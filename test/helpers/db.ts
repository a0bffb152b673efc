// A database of its own for each test file, on the one server of the test run
// (test/setup/global.ts starts or finds it), created here and dropped when the file is done.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { databaseUrl } from '../../src/shadow/server.js';
import { quoteIdent } from '../../src/sql/names.js';
import { loadParser, parseSource } from '../../src/sql/source.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** The server's major version, for tests of what differs between majors. */
  major: number;
  /** A new connected client; closed when the test file is done. */
  client(): Promise<pg.Client>;
}

/** Creates this test file's own database; drops it after the file. */
export async function testDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const major = inject('pgMajor');
  const name = `pgphase_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = databaseUrl(adminUrl, name);
  const clients: pg.Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    // WITH (FORCE) is PostgreSQL 13+; before, end the file's sessions first
    if (major < 13)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}${major < 13 ? '' : ' WITH (FORCE)'}`);
    await admin.end();
  });
  return {
    url,
    name,
    major,
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
  try {
    for (const s of source.statements) await client.query(s.text);
  } catch (error) {
    // a phase file's BEGIN would leave the client in an aborted transaction for the next case
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** An empty schema public and no pgphase state: each case of a test file starts from nothing. */
export async function resetSchema(client: pg.Client): Promise<void> {
  await client.query('DROP SCHEMA IF EXISTS pgphase CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}
