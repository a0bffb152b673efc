import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-unique-constraint', {
  valid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email ON users (email);' },
    { sql: 'CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a);' },
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;' },
    // the same columns were unique already: a primary key replacing the unique key adds no rule for writers
    {
      history: 'CREATE TABLE f (a int NOT NULL, b int NOT NULL, CONSTRAINT f_ab UNIQUE (a, b));',
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab, ADD PRIMARY KEY (b, a);',
    },
    {
      history: 'CREATE TABLE f (a int NOT NULL);\nCREATE UNIQUE INDEX f_a ON f (a);',
      sql: 'DROP INDEX f_a;\nALTER TABLE f ADD PRIMARY KEY (a);',
    },
    // nothing writes a materialized view but REFRESH
    {
      history: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;',
      sql: 'CREATE UNIQUE INDEX CONCURRENTLY daily_totals_day ON daily_totals (day);',
    },
    {
      sql: 'CREATE MATERIALIZED VIEW app.daily_totals AS SELECT 1 AS day;\nCREATE UNIQUE INDEX daily_totals_day ON app.daily_totals (day);',
    },
    // a new column is NULL (or distinct) on existing rows and in the running version's INSERTs: nothing to collide
    { sql: 'ALTER TABLE accounts ADD COLUMN email text UNIQUE;' },
    { sql: 'ALTER TABLE accounts ADD COLUMN public_id uuid DEFAULT gen_random_uuid() UNIQUE;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int DEFAULT 1 UNIQUE;' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      at: ['1:1'],
      message: '"email" of "users"',
    },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', at: ['1:1'], message: '"id" of "users"' },
    {
      sql: 'SELECT 1;\nCREATE UNIQUE INDEX CONCURRENTLY users_lower_email ON users (lower(email));',
      at: ['2:1'],
      message: '(expression)',
    },
    {
      sql: 'ALTER TABLE accounts ADD COLUMN ext_id bigint DEFAULT 1 UNIQUE;',
      at: ['1:1'],
      message: 'Adding column "ext_id" to "accounts" as UNIQUE with the constant default 1',
    },
    {
      sql: "ALTER TABLE accounts ADD COLUMN code text DEFAULT 'x'::text PRIMARY KEY;",
      at: ['1:1'],
      message: 'as PRIMARY KEY',
    },
  ],
});
