import { ruleCases } from '../helpers/lint.js';

const history = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, status text);\nCREATE TABLE memberships (org_id int NOT NULL, user_id int NOT NULL, PRIMARY KEY (org_id, user_id));';

await ruleCases('unbatched-data-change', {
  valid: [
    { history, sql: "UPDATE users SET status = 'x' WHERE id = 42;" },
    { history, sql: 'DELETE FROM users WHERE id IN (1, 2, 3);' },
    { history, sql: 'UPDATE users SET status = $1 WHERE id = $2;' },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1 AND user_id = 2;' },
    { sql: "INSERT INTO settings (key, value) VALUES ('a', 'b');" },
    { sql: 'CREATE TABLE t (a int);\nUPDATE t SET a = 1;\nINSERT INTO t SELECT 1;' },
  ],
  invalid: [
    { history, sql: "UPDATE users SET status = 'active';", at: ['1:1'], message: 'UPDATE on "users"' },
    { history, sql: "UPDATE users SET status = 'a' WHERE email = 'x';", at: ['1:1'] },
    { history, sql: 'DELETE FROM memberships WHERE org_id = 1;', at: ['1:1'], message: 'DELETE' },
    { history, sql: "UPDATE users SET status = 'a' WHERE id = 1 OR id = 2;", at: ['1:1'] },
    { sql: 'CREATE TABLE archive (id bigint);\nINSERT INTO archive SELECT id FROM users;', at: ['2:1'], message: 'INSERT … SELECT from "users"' },
    { sql: 'INSERT INTO users (id) SELECT 1;', at: ['1:1'], message: 'into "users"' },
    // no history: `id` may be the key, but nothing says so; still an error, with the way to tell pgphase
    { sql: "UPDATE users SET status = 'x' WHERE id = 1;", at: ['1:1'], message: 'pins "id", but the keys of "users" are unknown' },
    { sql: 'DELETE FROM users WHERE id = 1;', at: ['1:1'], message: 'in its migration directory (earlier migrations are replayed), or give the schema with `--schema <pg_dump --schema-only file>` or `--database-url <url>`' },
    // a known table without that key: the plain message
    { history, sql: "UPDATE users SET status = 'a' WHERE email = 'x';", at: ['1:1'], message: 'touches every matching row' },
  ],
});
