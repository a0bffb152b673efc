import { ruleCases } from '../helpers/lint.js';

await ruleCases('expand-and-contract-in-one-migration', {
  valid: [
    { sql: 'ALTER TABLE users ADD COLUMN full_name text;\nUPDATE users SET full_name = name;' },
    { sql: 'ALTER TABLE users ADD COLUMN a int;\nALTER TABLE orders DROP COLUMN b;' },
    { sql: 'CREATE TABLE t (a int, b int);\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN a;' },
  ],
  invalid: [
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
