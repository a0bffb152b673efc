import { ruleCases } from '../helpers/lint.js';

await ruleCases('create-index-non-concurrently', {
  valid: [
    // a materialized view created earlier in this migration has no readers yet
    { sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nCREATE UNIQUE INDEX ON daily_totals (day);\nCREATE INDEX daily_totals_total ON public.daily_totals (total);' },
    { sql: 'CREATE MATERIALIZED VIEW IF NOT EXISTS app.totals AS SELECT 1 AS day WITH NO DATA;\nCREATE INDEX totals_day ON app.totals (day);' },
    { sql: 'CREATE INDEX CONCURRENTLY users_email ON users (email);' },
    { sql: 'CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id);' },
    // ON ONLY a partitioned table builds nothing, and CONCURRENTLY is refused there
    { history: 'CREATE TABLE measurements (id bigint, taken date NOT NULL) PARTITION BY RANGE (taken);', sql: 'CREATE INDEX measurements_taken_idx ON ONLY measurements (taken);' },
  ],
  invalid: [
    // a function or trigger of the same name is not the table
    { sql: 'CREATE FUNCTION users() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE INDEX users_email ON users (email);', at: ['2:1'] },
    { history: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day;', sql: 'CREATE INDEX daily_totals_day ON daily_totals (day);', at: ['1:1'] },
    { sql: 'CREATE INDEX users_email ON users (email);', at: ['1:1'], message: 'index "users_email" on "users"' },
    { sql: 'CREATE TABLE a (x int);\n\n  CREATE UNIQUE INDEX ON app.users (lower(email));', at: ['3:3'], message: '"app"."users"' },
  ],
});
