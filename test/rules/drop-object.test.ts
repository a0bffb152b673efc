import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-object', {
  valid: [
    // the type renamed out of the way by this migration: nobody used the name `order_state_old`
    {
      history:
        "CREATE TYPE order_state AS ENUM ('new', 'paid');\nCREATE TABLE orders (id bigint PRIMARY KEY, state order_state);",
      transaction: 'per-file',
      sql: "ALTER TYPE order_state RENAME TO order_state_old;\nCREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped');\nALTER TABLE orders ALTER COLUMN state TYPE order_state USING state::text::order_state;\nDROP TYPE order_state_old;",
    },
    { sql: "CREATE TYPE mood AS ENUM ('a');\nDROP TYPE mood;" },
    { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP FUNCTION f();' },
    // re-created in the same transaction: the name never goes missing
    { sql: 'DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT 1 AS id;', transaction: 'per-file' },
    { sql: 'BEGIN;\nDROP VIEW v;\nCREATE OR REPLACE VIEW v AS SELECT 2;\nCOMMIT;' },
    // only triggers call a trigger function
    {
      history: 'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;',
      sql: 'DROP FUNCTION touch();',
    },
  ],
  invalid: [
    // a function an earlier migration created: the running version may call it
    {
      history: 'CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0::numeric $$;',
      sql: 'DROP FUNCTION IF EXISTS order_total(bigint);',
      at: ['1:1'],
      severity: 'error',
    },
    // one no migration created (made outside them, or dropped already): the finding assumes it exists
    {
      history:
        'CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0::numeric $$;\nDROP FUNCTION order_total(bigint);',
      sql: 'DROP FUNCTION IF EXISTS order_total(bigint);',
      at: ['1:1'],
      severity: 'warning',
      message:
        'Dropping function "order_total" (IF EXISTS) breaks the running version, which may still use it, if it exists',
    },
    {
      history:
        'CREATE TYPE order_state AS (code text, since timestamptz);\nALTER TYPE order_state RENAME TO order_status;',
      sql: 'DROP TYPE IF EXISTS order_status;\nDROP TYPE IF EXISTS order_state;',
      at: ['1:1', '2:1'],
      message: 'type',
    },
    // no migration creates it: the drop may drop nothing, or something made outside the migrations
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'DROP VIEW IF EXISTS open_orders;',
      at: ['1:1'],
      severity: 'warning',
      message: 'no migration pgphase read creates it',
    },
    // the type the running version uses, dropped after the new one took its name: the rename moved it, the drop is of the new one
    {
      history: "CREATE TYPE order_state AS ENUM ('new', 'paid');",
      transaction: 'per-file',
      sql: "ALTER TYPE order_state RENAME TO order_state_old;\nCREATE TYPE order_state AS ENUM ('new');\nDROP TYPE order_state_old;\nDROP TYPE order_state;",
      at: ['4:1'],
    },
    {
      sql: 'DROP VIEW IF EXISTS open_orders;',
      at: ['1:1'],
      severity: 'warning',
      message: 'if it exists: no migration pgphase read creates it',
    },
    { sql: 'DROP VIEW IF EXISTS active_users;', at: ['1:1'], severity: 'warning', message: 'view "active_users"' },
    // re-created only after the transaction (autocommit): the running version sees it missing in between
    { sql: 'DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT 1 AS id;', transaction: 'none', at: ['1:1'] },
    { sql: 'DROP FUNCTION touch(int), app.other();', at: ['1:1', '1:1'] },
    {
      sql: 'DROP SCHEMA billing;\nDROP SEQUENCE s;\nDROP TYPE mood;\nDROP MATERIALIZED VIEW m;\nDROP PROCEDURE p();',
      at: ['1:1', '2:1', '3:1', '4:1', '5:1'],
    },
  ],
});
