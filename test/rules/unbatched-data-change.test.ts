import { ruleCases } from '../helpers/lint.js';

const history = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, status text);\nCREATE TABLE memberships (org_id int NOT NULL, user_id int NOT NULL, PRIMARY KEY (org_id, user_id));';

await ruleCases('unbatched-data-change', {
  valid: [
    { history, sql: "UPDATE users SET status = 'x' WHERE id = 42;" },
    { history, sql: 'DELETE FROM users WHERE id IN (1, 2, 3);' },
    { history, sql: 'UPDATE users SET status = $1 WHERE id = $2;' },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1 AND user_id = 2;' },
    { sql: "INSERT INTO settings (key, value) VALUES ('a', 'b');" },
    // a SELECT without FROM yields constant rows, whatever its subqueries read
    { sql: 'INSERT INTO users (id) SELECT 1;' },
    { history, sql: "INSERT INTO users (id, email) SELECT 1, 'x' WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = 1);" },
    { history, sql: 'WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT count(*) FROM d;' },
    { sql: 'CREATE TABLE t (a int);\nUPDATE t SET a = 1;\nINSERT INTO t SELECT 1;' },
    // a CTE is not a table, at the top or nested
    { sql: 'CREATE TABLE t (a int);\nWITH src AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM src;' },
    { sql: 'CREATE TABLE t (a int);\nINSERT INTO t WITH src AS (SELECT 1 AS a) SELECT a FROM src;' },
    { sql: 'CREATE TABLE t (a int);\nINSERT INTO t SELECT a FROM (WITH RECURSIVE n (a) AS (SELECT 1 UNION ALL SELECT a + 1 FROM n WHERE a < 9) SELECT a FROM n) s;' },
    // reading a table or materialized view this migration created
    { sql: 'CREATE TABLE a (x int);\nCREATE TABLE b (x int);\nINSERT INTO b SELECT x FROM a;' },
    { sql: 'CREATE MATERIALIZED VIEW app.totals AS SELECT 1 AS x;\nCREATE TABLE b (x int);\nINSERT INTO b SELECT x FROM app.totals;' },
  ],
  invalid: [
    { history, sql: "UPDATE users SET status = 'active';", at: ['1:1'], message: 'UPDATE on "users"' },
    { history, sql: "UPDATE users SET status = 'a' WHERE email = 'x';", at: ['1:1'] },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1;', at: ['1:1'], message: 'DELETE' },
    { history, sql: "UPDATE users SET status = 'a' WHERE id = 1 OR id = 2;", at: ['1:1'] },
    // a new table filled from an existing one: a long transaction reading all of it
    { sql: 'CREATE TABLE archive (id bigint);\nINSERT INTO archive SELECT id FROM users;', at: ['2:1'], message: 'INSERT … SELECT from "users" into the new table "archive" reads all of "users" in one long transaction' },
    { sql: 'CREATE TABLE archive (id bigint);\nWITH src AS (SELECT id FROM users) INSERT INTO archive SELECT id FROM src;', at: ['2:1'], message: 'from "users"' },
    { history, sql: 'CREATE TABLE archive (id bigint);\nINSERT INTO archive WITH src AS (SELECT 1 AS id) SELECT u.id FROM src JOIN users u USING (id);', at: ['2:1'], message: 'from "users"' },
    // a CTE does not hide a schema-qualified table of the same name
    { sql: 'CREATE TABLE archive (id bigint);\nWITH users AS (SELECT 1 AS id) INSERT INTO archive SELECT id FROM app.users;', at: ['2:1'], message: 'from "app"."users"' },
    // a function of the same name created in this migration is not the table
    { sql: 'CREATE FUNCTION users() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE TABLE archive (id bigint);\nINSERT INTO archive SELECT id FROM users;', at: ['3:1'] },
    { sql: 'INSERT INTO users (id) WITH src AS (SELECT 1 AS id) SELECT id FROM src;', at: ['1:1'], message: 'INSERT … SELECT into "users" copies every row' },
    { sql: 'INSERT INTO users (id) SELECT 1 UNION ALL SELECT id FROM old_users;', at: ['1:1'], message: 'into "users"' },
    // data changes in a WITH clause run whatever the main query does
    { history, sql: 'WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d;', at: ['1:1'], message: 'DELETE on "users"' },
    { history, sql: "WITH u AS (UPDATE users SET status = 'x' RETURNING id) INSERT INTO audit (id) VALUES (1);", at: ['1:1'], message: 'UPDATE on "users"' },
    { history, sql: 'MERGE INTO users u USING src s ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = s.email;', at: ['1:1'], message: 'MERGE into "users" applies every row of its source' },
    { sql: 'CREATE TABLE archive (id bigint);\nMERGE INTO archive a USING users u ON a.id = u.id WHEN NOT MATCHED THEN INSERT (id) VALUES (u.id);', at: ['2:1'], message: 'MERGE from "users" into the new table "archive"' },
    // no history: `id` may be the key, but nothing says so; still an error, with the way to tell pgphase
    { sql: "UPDATE users SET status = 'x' WHERE id = 1;", at: ['1:1'], message: 'pins "id", but the keys of "users" are unknown' },
    { sql: 'DELETE FROM users WHERE id = 1;', at: ['1:1'], message: 'in its migration directory (earlier migrations are replayed), or give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`' },
    // a known table without that key: the plain message
    { history, sql: "UPDATE users SET status = 'a' WHERE email = 'x';", at: ['1:1'], message: 'touches every matching row' },
  ],
});
