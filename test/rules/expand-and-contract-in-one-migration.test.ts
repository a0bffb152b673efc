import { ruleCases } from '../helpers/lint.js';

await ruleCases('expand-and-contract-in-one-migration', {
  valid: [
    // the added column renamed into the place of the dropped one: only the drop removes what the running version uses
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders ADD COLUMN state_new smallint;\nALTER TABLE orders RENAME COLUMN state_new TO state_next;',
    },
    { sql: 'ALTER TABLE users ADD COLUMN full_name text;\nUPDATE users SET full_name = name;' },
    { sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE orders DROP COLUMN b;' },
    { sql: 'CREATE TABLE t (a int, b int);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN a;' },
  ],
  invalid: [
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY, state text);',
      sql: 'ALTER TABLE orders ADD COLUMN state_new smallint;\nALTER TABLE orders DROP COLUMN state;\nALTER TABLE orders RENAME COLUMN state_new TO state;',
      at: ['2:1'],
      message: 'removes "state"',
    },
    {
      sql: 'ALTER TABLE users ADD COLUMN full_name text;\nUPDATE users SET full_name = name;\nALTER TABLE users DROP COLUMN name;',
      at: ['3:1'],
      message: 'adds "full_name" to "users" and removes "name"',
    },
    {
      sql: 'CREATE TABLE accounts (id bigint, name text);\nINSERT INTO accounts SELECT id, name FROM users;\nDROP TABLE users;',
      at: ['3:1'],
      message: 'copies "users" into the new table "accounts"',
    },
  ],
});
