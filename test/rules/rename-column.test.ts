import { ruleCases } from '../helpers/lint.js';

await ruleCases('rename-column', {
  valid: [
    // a column this migration added, renamed into the place of the one it replaces: the running version never used it
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders ADD COLUMN state_new smallint;\nUPDATE orders SET state_new = 1;\nALTER TABLE orders DROP COLUMN state;\nALTER TABLE orders RENAME COLUMN state_new TO state;',
    },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;' },
  ],
  invalid: [
    // the column the running version uses, renamed out of the way; the new one renamed into its place is not reported
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders ADD COLUMN state_new smallint;\nALTER TABLE orders RENAME COLUMN state TO state_old;\nALTER TABLE orders RENAME COLUMN state_new TO state;',
      at: ['2:1'],
      message: 'to "state_old"',
    },
    // a column added under a name this migration vacated is the one the running version now reads: renaming it breaks it
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders DROP COLUMN state;\nALTER TABLE orders ADD COLUMN state smallint;\nALTER TABLE orders RENAME COLUMN state TO status;',
      at: ['3:1'],
    },
    {
      sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
      at: ['1:1'],
      message:
        'Renaming column "users"."name" to "full_name" breaks every query of the running version that uses "name"',
    },
    {
      sql: '\n\nALTER TABLE "public"."UserAccount" RENAME "a""b" TO c;',
      at: ['3:1'],
      message: '"public"."UserAccount"."a""b"',
    },
  ],
});
