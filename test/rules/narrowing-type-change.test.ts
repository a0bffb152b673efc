import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), score numeric(10,2), bio text, net inet);';
const serials = 'CREATE TABLE accounts (id serial PRIMARY KEY, big_id bigserial);';

await ruleCases('narrowing-type-change', {
  valid: [
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(200);' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,4);' },
    // an unknown old type is change-column-type's and column-type-rewrite's business
    { sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(5);' },
    {
      history: serials,
      sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;\nALTER TABLE accounts ALTER COLUMN big_id TYPE bigint;',
    },
    // a column this migration adds holds only what it writes
    {
      history,
      sql: "CREATE TYPE role AS ENUM ('owner', 'member');\nALTER TABLE users ADD COLUMN role_tmp text;\nUPDATE users SET role_tmp = 'member';\nALTER TABLE users ALTER COLUMN role_tmp TYPE role USING role_tmp::role;",
    },
  ],
  invalid: [
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(50);',
      at: ['1:1'],
      message: 'from varchar(100) to varchar(50) narrows it',
    },
    { history, sql: 'ALTER TABLE users ALTER COLUMN id TYPE integer;', at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN score TYPE numeric(8,2);', at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(280);', at: ['1:1'] },
    { history, sql: 'ALTER TABLE users ALTER COLUMN net TYPE cidr;', at: ['1:1'] },
    // a bigserial column holds bigint values
    {
      history: serials,
      sql: 'ALTER TABLE accounts ALTER COLUMN big_id TYPE int;',
      at: ['1:1'],
      message: 'from bigint to integer narrows it',
    },
  ],
});
