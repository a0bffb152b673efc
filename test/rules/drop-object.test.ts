import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-object', {
  valid: [
    { sql: "CREATE TYPE mood AS ENUM ('a');\nDROP TYPE mood;" },
    { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP FUNCTION f();' },
    // re-created in the same transaction: the name never goes missing
    { sql: 'DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT 1 AS id;', transaction: 'per-file' },
    { sql: 'BEGIN;\nDROP VIEW v;\nCREATE OR REPLACE VIEW v AS SELECT 2;\nCOMMIT;' },
    // only triggers call a trigger function
    { history: "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;", sql: 'DROP FUNCTION touch();' },
  ],
  invalid: [
    { sql: 'DROP VIEW IF EXISTS active_users;', at: ['1:1'], message: 'view "active_users"' },
    // re-created only after the transaction (autocommit): the running version sees it missing in between
    { sql: 'DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT 1 AS id;', transaction: 'none', at: ['1:1'] },
    { sql: 'DROP FUNCTION touch(int), app.other();', at: ['1:1', '1:1'] },
    { sql: 'DROP SCHEMA billing;\nDROP SEQUENCE s;\nDROP TYPE mood;\nDROP MATERIALIZED VIEW m;\nDROP PROCEDURE p();', at: ['1:1', '2:1', '3:1', '4:1', '5:1'] },
  ],
});
