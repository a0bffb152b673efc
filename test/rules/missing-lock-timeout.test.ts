import { ruleCases } from '../helpers/lint.js';

await ruleCases('missing-lock-timeout', {
  valid: [
    // a materialized view of this migration has no queries to queue
    {
      sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nCREATE INDEX daily_totals_day ON daily_totals (day);\nREFRESH MATERIALIZED VIEW daily_totals;\nDROP INDEX daily_totals_day;',
    },
    { sql: "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;" },
    { sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;" },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;' },
    // SHARE and SHARE UPDATE EXCLUSIVE locks are other rules' business
    { sql: 'CREATE INDEX CONCURRENTLY i ON users (email);\nALTER TABLE users VALIDATE CONSTRAINT c;' },
    { sql: 'UPDATE users SET name = 1 WHERE id = 1;' },
    {
      sql: "SET lock_timeout = '2s';\nBEGIN;\nSET LOCAL lock_timeout = '1s';\nCOMMIT;\nALTER TABLE users DROP COLUMN a;",
    },
    {
      history: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);',
      sql: 'DROP INDEX CONCURRENTLY users_email;',
    },
    { sql: "SET lock_timeout = '2s';\nDROP TRIGGER t ON users;" },
    // a SET written as a function call
    { sql: "SELECT pg_catalog.set_config('lock_timeout', '2s', false);\nALTER TABLE users DROP COLUMN a;" },
    // PostgreSQL's number formats and units; a fraction rounds to whole milliseconds
    ...["'1min'", "' 1.5 '", "'0x10'", "'1e3'", "'0.6ms'", "'1 h'", '1500'].map((value) => ({
      sql: `SET lock_timeout = ${value};\nALTER TABLE users DROP COLUMN a;`,
    })),
    // in one query string, a SET LOCAL before the BEGIN is in the same transaction
    {
      sql: "SET LOCAL lock_timeout = '2s';\nBEGIN;\nALTER TABLE users DROP COLUMN a;\nCOMMIT;",
      transaction: 'implicit',
    },
    // no table named: each clustered table is locked in a transaction of its own, there is no one lock to report
    { sql: 'CLUSTER;' },
  ],
  invalid: [
    // a new column's foreign key locks the referenced table too, against its writes only; once per statement, naming both
    {
      history: 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);',
      at: ['1:1'],
      message:
        'queues for the ACCESS EXCLUSIVE lock on "orders" and the SHARE ROW EXCLUSIVE lock on "customers" with no lock_timeout: while it queues behind a long transaction, every query on "orders" and every write to "customers" queue behind it',
    },
    {
      history: 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint, ADD FOREIGN KEY (customer_id) REFERENCES customers (id);',
      at: ['1:1'],
      message: 'the ACCESS EXCLUSIVE lock on "orders" and the SHARE ROW EXCLUSIVE lock on "customers"',
    },
    {
      history: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day;',
      sql: 'REFRESH MATERIALIZED VIEW daily_totals;',
      at: ['1:1'],
      message: 'ACCESS EXCLUSIVE lock on "daily_totals"',
    },
    // once per statement, not per sub-command
    {
      sql: 'ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;',
      at: ['1:1'],
      message: 'ACCESS EXCLUSIVE lock on "users"',
    },
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      at: ['1:1'],
      message: 'SHARE ROW EXCLUSIVE',
    },
    // a new table's foreign key locks the referenced table
    { sql: 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));', at: ['1:1'], message: 'on "users"' },
    // SET LOCAL ends with its transaction; a reset turns the timeout off
    { sql: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nALTER TABLE users DROP COLUMN a;", at: ['4:1'] },
    {
      sql: "SET lock_timeout = '2s';\nSET lock_timeout = 0;\nALTER TABLE users DROP COLUMN a;\nDROP TABLE t;",
      at: ['3:1', '4:1'],
    },
    // 0 in any unit, or under half a millisecond, is no timeout; a value PostgreSQL cannot read sets nothing
    ...["'0min'", "'0h'", "'0d'", "'0us'", "' 0 '", "'0.0s'", "'0.5ms'", "'400us'", "'1 MIN'", "'2 seconds'"].map(
      (value) => ({
        sql: `SET lock_timeout = ${value};\nALTER TABLE users DROP COLUMN a;`,
        at: ['2:1'],
      }),
    ),
    // a lock the transaction already holds is not queued for again
    // … also under the name a rename gave the table, schema-qualified or not
    {
      sql: 'BEGIN;\nALTER TABLE a RENAME TO b;\nALTER TABLE public.b ADD COLUMN c int;\nALTER TABLE a ADD COLUMN d int;\nCOMMIT;',
      at: ['2:1', '4:1'],
    },
    {
      sql: 'ALTER TABLE app.a RENAME TO b;\nALTER TABLE app.b ADD COLUMN c int;\nALTER TABLE b ADD COLUMN d int;',
      transaction: 'per-file',
      at: ['1:1', '3:1'],
    },
    {
      sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;\nALTER TABLE orders DROP COLUMN c;',
      transaction: 'per-file',
      at: ['1:1', '3:1'],
    },
    {
      sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;',
      transaction: 'none',
      at: ['1:1', '2:1'],
    },
    {
      sql: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;',
      at: ['2:1', '4:1'],
    },
    { sql: 'DROP TRIGGER IF EXISTS t ON app.users;', at: ['1:1'], message: '"app"."users"' },
    // SET LOCAL outside a transaction sets nothing
    { sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE users DROP COLUMN a;", at: ['2:1'] },
    // a ROLLBACK undoes a session SET made in the transaction
    { sql: "BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\nALTER TABLE users DROP COLUMN a;", at: ['4:1'] },
    // DROP INDEX locks the table the schema model knows the index on
    {
      history: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);',
      sql: 'DROP INDEX users_email;',
      at: ['1:1'],
      message: 'ACCESS EXCLUSIVE lock on "public"."users"',
    },
  ],
});
