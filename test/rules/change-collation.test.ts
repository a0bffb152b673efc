import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (email text, name varchar(20) COLLATE "C");\nCREATE INDEX users_email ON users (email);';

await ruleCases('change-collation', {
  valid: [
    { history, sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20) COLLATE "C";' },
    // a rewrite is column-type-rewrite's
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE integer COLLATE "C" USING 1;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE text;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE text COLLATE "default";' },
    { sql: 'CREATE TABLE t (a text);\nALTER TABLE t ALTER COLUMN a TYPE text COLLATE "C";' },
  ],
  invalid: [
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN email TYPE text COLLATE "C";',
      at: ['1:1'],
      message: 'Changing the collation of "users"."email" to "C" rebuilds every index on "email"',
    },
    { history, sql: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(40) COLLATE "en_US";', at: ['1:1'] },
  ],
});
