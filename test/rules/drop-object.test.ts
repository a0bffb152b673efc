import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-object', {
  valid: [
    { sql: "CREATE TYPE mood AS ENUM ('a');\nDROP TYPE mood;" },
    { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP FUNCTION f();' },
  ],
  invalid: [
    { sql: 'DROP VIEW IF EXISTS active_users;', at: ['1:1'], message: 'view "active_users"' },
    { sql: 'DROP FUNCTION touch(int), app.other();', at: ['1:1', '1:1'] },
    { sql: 'DROP SCHEMA billing;\nDROP SEQUENCE s;\nDROP TYPE mood;\nDROP MATERIALIZED VIEW m;\nDROP PROCEDURE p();', at: ['1:1', '2:1', '3:1', '4:1', '5:1'] },
  ],
});
