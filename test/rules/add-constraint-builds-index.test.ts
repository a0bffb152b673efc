import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-constraint-builds-index', {
  valid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a);' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int UNIQUE;' },
    // IF NOT EXISTS on a column that exists does nothing
    {
      history: 'CREATE TABLE accounts (id int, email text);',
      sql: 'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS email text UNIQUE;',
    },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      at: ['1:1'],
      message: 'ADD UNIQUE "users_email_key" on "users"',
    },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', at: ['1:1'], message: 'ADD PRIMARY KEY' },
    // a column constraint builds its index in the ALTER too, even over a column that is all NULL
    {
      sql: 'ALTER TABLE accounts ADD COLUMN email text UNIQUE;',
      at: ['1:1'],
      message: 'Adding column "email" to "accounts" with UNIQUE builds its index',
    },
    {
      sql: 'ALTER TABLE accounts ADD COLUMN n int, ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;',
      at: ['1:1'],
      message: 'column "id" to "accounts" with PRIMARY KEY',
    },
  ],
});
