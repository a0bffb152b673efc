import { ruleCases } from '../helpers/lint.js';

await ruleCases('reindex-non-concurrently', {
  valid: [
    {
      sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nCREATE INDEX daily_totals_day ON daily_totals (day);\nREINDEX INDEX daily_totals_day;\nREINDEX TABLE daily_totals;',
    },
    { sql: 'REINDEX TABLE CONCURRENTLY users;' },
    // before PostgreSQL 12 there is no concurrent REINDEX to suggest
    { sql: 'REINDEX TABLE users;', pgVersion: 11 },
    { sql: 'CREATE TABLE t (a int);\nREINDEX TABLE t;' },
    { sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nREINDEX INDEX t_a;' },
    // system catalogs cannot be reindexed concurrently
    { sql: 'REINDEX SYSTEM;\nREINDEX SYSTEM app;' },
  ],
  invalid: [
    {
      sql: 'REINDEX TABLE users;',
      pgVersion: 12,
      at: ['1:1'],
      message: 'writes to "users" and nearly every query on it',
    },
    {
      sql: 'REINDEX INDEX users_email;',
      at: ['1:1'],
      message:
        'REINDEX INDEX "users_email" without CONCURRENTLY blocks writes to its table and nearly every query on it',
    },
    // the schema model knows the index's table
    {
      history: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);',
      sql: 'REINDEX INDEX users_email;',
      at: ['1:1'],
      message: 'writes to "public"."users" and nearly every query on it',
    },
    {
      sql: 'SELECT 1;\nREINDEX SCHEMA app;',
      at: ['2:1'],
      message:
        'REINDEX SCHEMA "app" without CONCURRENTLY rebuilds the indexes of every table in it, one table at a time',
    },
    {
      sql: 'REINDEX DATABASE shop;\nREINDEX DATABASE;',
      at: ['1:1', '2:1'],
      message: 'rebuilds the indexes of every table in it',
    },
  ],
});
