import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(100), score numeric(10,2), name text, at timestamp);';
const serials = 'CREATE TABLE accounts (id serial PRIMARY KEY, big_id bigserial);';

await ruleCases('column-type-rewrite', {
  valid: [
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(200);' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE text;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,2);' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN name TYPE text USING name::text;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;' },
    // a bigserial column is a bigint column
    { history: serials, sql: 'ALTER TABLE accounts ALTER COLUMN big_id TYPE bigint;' },
    // the session TimeZone is UTC and no index covers the column: PostgreSQL ≥ 12 keeps the table
    { history, sql: "SET timezone = 'UTC';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;" },
    {
      history,
      sql: "SET TIME ZONE 'Etc/UTC';\nSET lock_timeout = '2s';\nALTER TABLE users ALTER at TYPE timestamptz;",
    },
    {
      history,
      transaction: 'per-file',
      sql: "SET LOCAL timezone = 'GMT';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
    },
  ],
  invalid: [
    // tolerated by the running version, but the rewrite stays (unless the session TimeZone is UTC)
    {
      history: 'CREATE TABLE bookings (id bigint PRIMARY KEY, starts_at timestamp NOT NULL);',
      sql: 'ALTER TABLE bookings ALTER COLUMN starts_at TYPE timestamptz;',
      at: ['1:1'],
      message: 'unless the session TimeZone is UTC',
    },
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;',
      at: ['1:1'],
      message: 'from integer to bigint rewrites the table',
    },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(50);', at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200) USING lower(name);', at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz;', pgVersion: 11, at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN at TYPE timestamptz;', pgVersion: 12, at: ['1:1'], message: 'UTC' },
    // UTC, but the column's index is rebuilt; another zone, a zone RESET to the server's, a SET LOCAL outside a
    // transaction (it sets nothing), a SET rolled back, and PostgreSQL 11 rewrite the table
    {
      history: `${history}\nCREATE INDEX users_at ON users (at);`,
      sql: "SET timezone = 'UTC';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
      at: ['2:1'],
      message: 'rebuilds its indexes on "at" under an ACCESS EXCLUSIVE lock, reading every row of "users"',
    },
    {
      history,
      sql: "SET timezone = 'Europe/London';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
      at: ['2:1'],
    },
    {
      history,
      sql: "SET timezone = 'UTC';\nRESET timezone;\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
      at: ['3:1'],
    },
    { history, sql: "SET LOCAL timezone = 'UTC';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;", at: ['2:1'] },
    {
      history,
      sql: "BEGIN;\nSET timezone = 'UTC';\nROLLBACK;\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
      at: ['4:1'],
    },
    {
      history,
      sql: "SET timezone = 'UTC';\nALTER TABLE users ALTER COLUMN at TYPE timestamptz;",
      pgVersion: 11,
      at: ['2:1'],
    },
    {
      sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;',
      at: ['1:1'],
      severity: 'warning',
      message:
        'the old type of "id" is unknown; to know it, lint the file in its migration directory (earlier migrations are replayed), or give the schema with `--schema',
    },
    {
      history: serials,
      sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;',
      at: ['1:1'],
      message: 'from integer to bigint rewrites the table',
    },
  ],
});
