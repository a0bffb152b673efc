import { ruleCases } from '../helpers/lint.js';

const on = { 'non-idempotent': 'warning' } as const;

await ruleCases('non-idempotent', {
  valid: [
    { sql: 'CREATE TABLE t (a int);', severities: {} },
    {
      sql: 'CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nDROP TABLE IF EXISTS old;',
      severities: on,
    },
    { sql: 'CREATE TABLE t (a int);', transaction: 'per-file', severities: on },
    // IF NOT EXISTS is the guard of these
    { sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto;', severities: on },
    { sql: 'CREATE SCHEMA IF NOT EXISTS app;', severities: on },
    { sql: 'CREATE SEQUENCE IF NOT EXISTS app.order_no;', severities: on },
    { sql: 'CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1 AS n;', severities: on },
    { sql: 'CREATE TABLE IF NOT EXISTS snapshot AS SELECT 1 AS n;', severities: on },
    { sql: "CREATE COLLATION IF NOT EXISTS de (locale = 'de_DE');", severities: on },
    {
      sql: 'CREATE OR REPLACE VIEW v AS SELECT 1;\nCREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
      severities: on,
    },
    // no guard exists for these, so there is nothing to add
    {
      sql: "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE DOMAIN email AS text;\nCREATE TYPE pair AS (a int, b int);\nCREATE POLICY own ON t USING (true);",
      severities: on,
    },
    // CREATE OR REPLACE TRIGGER needs PostgreSQL 14
    { sql: 'CREATE TRIGGER tg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();', pgVersion: 13, severities: on },
  ],
  invalid: [
    {
      sql: 'CREATE TABLE t (a int);\nDROP INDEX CONCURRENTLY i;\nALTER TABLE t ADD COLUMN b int, ADD COLUMN c int;',
      severities: on,
      at: ['1:1', '2:1', '3:1'],
      message: 'lacks',
    },
    {
      sql: 'CREATE EXTENSION pgcrypto;\nCREATE SCHEMA app;\nCREATE SEQUENCE app.order_no;\nCREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;\nCREATE TABLE snapshot AS SELECT 1 AS n;',
      severities: on,
      at: ['1:1', '2:1', '3:1', '4:1', '5:1'],
      message: 'it lacks IF NOT EXISTS',
    },
    {
      sql: 'CREATE VIEW v AS SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
      severities: on,
      at: ['1:1', '2:1'],
      message: 'it lacks OR REPLACE',
    },
    {
      sql: 'CREATE TRIGGER tg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();',
      pgVersion: 14,
      severities: on,
      at: ['1:1'],
      message: 'it lacks OR REPLACE',
    },
  ],
});
