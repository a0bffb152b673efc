import { ruleCases } from '../helpers/lint.js';

const indexed = 'CREATE TABLE "Post" (id int, slug text);\nCREATE UNIQUE INDEX "Post_slug_key" ON "Post" (slug);';

await ruleCases('drop-index-non-concurrently', {
  valid: [
    { sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_email;' },
    { sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;' },
    {
      sql: 'CREATE MATERIALIZED VIEW totals AS SELECT 1 AS a;\nCREATE INDEX totals_a ON totals (a);\nDROP INDEX totals_a;',
    },
    // the table is dropped right after, in the same transaction
    { history: indexed, sql: 'DROP INDEX "Post_slug_key";\n\nDROP TABLE "Post";', transaction: 'implicit' },
  ],
  invalid: [
    // PostgreSQL cannot drop an index of a partitioned table CONCURRENTLY: the finding says so
    {
      history:
        'CREATE TABLE ev (id bigint, kind int) PARTITION BY LIST (kind);\nCREATE TABLE ev_0 PARTITION OF ev FOR VALUES IN (0);\nCREATE INDEX ev_id ON ev (id);',
      sql: 'DROP INDEX ev_id;',
      at: ['1:1'],
      message: 'PostgreSQL cannot drop it CONCURRENTLY',
    },
    // no migration creates it: the drop may drop nothing, or something made outside the migrations
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);',
      sql: 'DROP INDEX IF EXISTS orders_placed_at_idx;',
      at: ['1:1'],
      severity: 'warning',
      message: 'no migration pgphase read creates it',
    },
    {
      history:
        'CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);\nCREATE INDEX orders_placed_at_idx ON orders (placed_at);',
      sql: 'DROP INDEX IF EXISTS orders_placed_at_idx;',
      at: ['1:1'],
      severity: 'error',
      message: 'lock on its table "public"."orders"',
    },
    {
      sql: 'DROP INDEX IF EXISTS orders_placed_at_idx;',
      at: ['1:1'],
      severity: 'warning',
      message: 'if the index exists: no migration pgphase read creates it',
    },
    { sql: 'DROP INDEX users_email;', at: ['1:1'], message: 'index "users_email"' },
    {
      history: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);',
      sql: 'SELECT 1;\nDROP INDEX users_email;',
      at: ['2:1'],
      message: 'on its table "public"."users"',
    },
    // each statement commits on its own: the table is still there, with traffic, after the index goes
    { history: indexed, sql: 'DROP INDEX "Post_slug_key";\nDROP TABLE "Post";', transaction: 'none', at: ['1:1'] },
    {
      history: indexed,
      sql: 'DROP INDEX "Post_slug_key";\nDROP TABLE "Comment";',
      transaction: 'per-file',
      at: ['1:1'],
    },
  ],
});
