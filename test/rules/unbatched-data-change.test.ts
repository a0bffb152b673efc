import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (id bigint PRIMARY KEY, email text, status text);\nCREATE TABLE memberships (org_id int NOT NULL, user_id int NOT NULL, PRIMARY KEY (org_id, user_id));';

await ruleCases('unbatched-data-change', {
  valid: [
    { history, sql: "UPDATE users SET status = 'x' WHERE id = 42;" },
    { history, sql: 'DELETE FROM users WHERE id IN (1, 2, 3);' },
    { history, sql: 'UPDATE users SET status = $1 WHERE id = $2;' },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1 AND user_id = 2;' },
    { sql: "INSERT INTO settings (key, value) VALUES ('a', 'b');" },
    // a SELECT without FROM yields constant rows, whatever its subqueries read
    { sql: 'INSERT INTO users (id) SELECT 1;' },
    {
      history,
      sql: "INSERT INTO users (id, email) SELECT 1, 'x' WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = 1);",
    },
    { history, sql: 'WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT count(*) FROM d;' },
    { sql: 'CREATE TABLE t (a int);\nUPDATE t SET a = 1;\nINSERT INTO t SELECT 1;' },
    // a CTE is not a table, at the top or nested
    { sql: 'CREATE TABLE t (a int);\nWITH src AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM src;' },
    { sql: 'CREATE TABLE t (a int);\nINSERT INTO t WITH src AS (SELECT 1 AS a) SELECT a FROM src;' },
    {
      sql: 'CREATE TABLE t (a int);\nINSERT INTO t SELECT a FROM (WITH RECURSIVE n (a) AS (SELECT 1 UNION ALL SELECT a + 1 FROM n WHERE a < 9) SELECT a FROM n) s;',
    },
    // reading a table or materialized view this migration created
    { sql: 'CREATE TABLE a (x int);\nCREATE TABLE b (x int);\nINSERT INTO b SELECT x FROM a;' },
    {
      sql: 'CREATE MATERIALIZED VIEW app.totals AS SELECT 1 AS x;\nCREATE TABLE b (x int);\nINSERT INTO b SELECT x FROM app.totals;',
    },
    // filling a table this migration created, from an existing one: nobody reads or writes the new table yet,
    // and reading the source locks none of its rows
    {
      history,
      sql: 'CREATE TABLE user_emails (user_id bigint PRIMARY KEY, email text NOT NULL);\nINSERT INTO user_emails (user_id, email) SELECT id, email FROM users WHERE email IS NOT NULL;\nUPDATE user_emails SET email = lower(email);',
    },
    {
      history,
      sql: 'CREATE TABLE user_status (id bigint, status text);\nMERGE INTO user_status s USING users u ON s.id = u.id WHEN NOT MATCHED THEN INSERT (id, status) VALUES (u.id, u.status);',
    },
    {
      history,
      sql: 'CREATE TABLE archive (id bigint);\nWITH src AS (SELECT id FROM users) INSERT INTO archive SELECT id FROM src;',
    },
  ],
  invalid: [
    { history, sql: "UPDATE users SET status = 'active';", at: ['1:1'], message: 'UPDATE on "users"' },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1;', at: ['1:1'], message: 'DELETE' },
    { history, sql: "UPDATE users SET status = 'a' WHERE id = 1 OR id = 2;", at: ['1:1'] },
    {
      sql: 'INSERT INTO users (id) WITH src AS (SELECT 1 AS id) SELECT id FROM src;',
      at: ['1:1'],
      message: 'INSERT … SELECT into "users" copies every row',
    },
    {
      sql: 'INSERT INTO users (id) SELECT 1 UNION ALL SELECT id FROM old_users;',
      at: ['1:1'],
      message: 'into "users"',
    },
    // data changes in a WITH clause run whatever the main query does
    {
      history,
      sql: 'WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d;',
      at: ['1:1'],
      message: 'DELETE on "users"',
    },
    {
      history,
      sql: "WITH u AS (UPDATE users SET status = 'x' RETURNING id) INSERT INTO audit (id) VALUES (1);",
      at: ['1:1'],
      message: 'UPDATE on "users"',
    },
    {
      history,
      sql: 'MERGE INTO users u USING src s ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = s.email;',
      at: ['1:1'],
      message: 'MERGE into "users" applies every row of its source',
    },
    // no history: `id` may be the key, but nothing says so; a warning that says what it assumed and how to tell pgphase
    {
      sql: "UPDATE users SET status = 'x' WHERE id = 1;",
      at: ['1:1'],
      severity: 'warning',
      message:
        'pins "id", but the keys of "users" are unknown (no earlier migration or given schema defines the table): it is assumed to touch every row',
    },
    {
      sql: 'DELETE FROM users WHERE id = 1;',
      at: ['1:1'],
      severity: 'warning',
      message:
        'in its migration directory (earlier migrations are replayed), or give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`',
    },
    // no key pinned at all: no assumption, an error
    { sql: "UPDATE users SET status = 'x';", at: ['1:1'], severity: 'error' },
    // an existing table filled from another: its new rows and their index entries stay locked until commit
    {
      history,
      sql: 'INSERT INTO memberships (org_id, user_id) SELECT 1, id FROM users;',
      at: ['1:1'],
      severity: 'error',
      message: 'INSERT … SELECT into "memberships"',
    },
    // a known table without that key: the plain message
    {
      history,
      sql: "UPDATE users SET status = 'a' WHERE email = 'x';",
      at: ['1:1'],
      message: 'touches every matching row',
    },
  ],
});
