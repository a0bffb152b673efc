import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-column-rewrite', {
  valid: [
    { sql: 'ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();' },
    { sql: 'ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT CURRENT_TIMESTAMP;' },
    { sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';" },
    { sql: "ALTER TABLE users ADD COLUMN settings jsonb DEFAULT '{}'::jsonb;" },
    { sql: 'ALTER TABLE users ADD COLUMN n int;', pgVersion: 10 },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid();' },
    // stable and immutable built-ins are evaluated once, whatever the grammar makes of them
    {
      sql: "ALTER TABLE users ADD COLUMN a timestamptz DEFAULT (now() AT TIME ZONE 'utc');\nALTER TABLE users ADD COLUMN b date DEFAULT date_trunc('day', now());\nALTER TABLE users ADD COLUMN c int DEFAULT extract(year from current_date);\nALTER TABLE users ADD COLUMN d text DEFAULT substring('abc' from 1 for 2);\nALTER TABLE users ADD COLUMN e text DEFAULT trim('  a ');\nALTER TABLE users ADD COLUMN f numeric DEFAULT round(1.5);",
    },
    { sql: 'ALTER TABLE users ADD COLUMN n int DEFAULT NULL::int;', pgVersion: 10 },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      at: ['1:1'],
      message: 'gen_random_uuid(), which is volatile',
    },
    // a function PostgreSQL does not ship may be volatile
    {
      sql: 'ALTER TABLE users ADD COLUMN n int DEFAULT app.next_number();',
      at: ['1:1'],
      message: 'app.next_number(), which is not a built-in function known to be stable or immutable',
    },
    {
      sql: "ALTER TABLE users ADD COLUMN r float8 DEFAULT random();\nALTER TABLE users ADD COLUMN u uuid DEFAULT uuid_generate_v4();\nALTER TABLE users ADD COLUMN c timestamptz DEFAULT clock_timestamp();\nALTER TABLE users ADD COLUMN t text DEFAULT timeofday();\nALTER TABLE users ADD COLUMN s bigint DEFAULT nextval('s');",
      at: ['1:1', '2:1', '3:1', '4:1', '5:1'],
    },
    {
      sql: 'ALTER TABLE users ADD COLUMN n bigserial;\nALTER TABLE users ADD COLUMN i bigint GENERATED ALWAYS AS IDENTITY;\nALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (1) STORED;',
      at: ['1:1', '2:1', '3:1'],
    },
    // before PostgreSQL 11 any default rewrites
    {
      sql: "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';",
      pgVersion: 10,
      at: ['1:1'],
      message: 'before PostgreSQL 11',
    },
  ],
});
