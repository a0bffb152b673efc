import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-column', {
  valid: [
    // a column this migration added (and gave up on): the running version never used it
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders RENAME COLUMN note TO notes;\nALTER TABLE orders DROP COLUMN notes;',
    },
    { sql: 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;' },
    {
      sql: '-- pgphase-ignore drop-column: contract phase, no deployed version reads it\nALTER TABLE users DROP COLUMN name;',
    },
  ],
  invalid: [
    // no migration creates it: the drop may drop nothing, or something made outside the migrations
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE orders DROP COLUMN IF EXISTS legacy_flag;',
      at: ['1:1'],
      severity: 'warning',
      message: 'no migration pgphase read creates it',
    },
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders DROP COLUMN state;\nALTER TABLE orders ADD COLUMN state smallint;\nALTER TABLE orders DROP COLUMN state;',
      at: ['1:1', '3:1'],
      severity: 'error',
    },
    // the history is unknown: IF EXISTS may drop nothing, which the warning says, with how to give the schema
    {
      sql: 'ALTER TABLE orders DROP COLUMN IF EXISTS legacy_flag;',
      at: ['1:1'],
      severity: 'warning',
      message:
        'if the column exists: no migration pgphase read creates it; to know, lint the file in its migration directory',
    },
    { sql: 'ALTER TABLE users DROP COLUMN name;', at: ['1:1'], message: 'Dropping column "users"."name"' },
    {
      sql: 'SELECT 1;\n  ALTER TABLE "public"."UserAccount" DROP COLUMN "Name", DROP COLUMN IF EXISTS b;',
      at: ['2:3', '2:3'],
      message: '"public"."UserAccount"',
    },
  ],
});
