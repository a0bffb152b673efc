import { ruleCases } from '../helpers/lint.js';

await ruleCases('prefer-bigint', {
  valid: [
    { sql: 'CREATE TABLE t (id bigint PRIMARY KEY, user_id bigint, quantity int);' },
    { sql: 'ALTER TABLE t ADD COLUMN retries smallint;' },
  ],
  invalid: [
    {
      sql: 'CREATE TABLE t (id serial PRIMARY KEY, user_id int, code smallint, PRIMARY KEY (code));',
      at: ['1:17', '1:40', '1:53'],
      message: 'Key column',
    },
    { sql: 'ALTER TABLE t ADD COLUMN org_id integer;', at: ['1:26'], message: '"org_id" is integer' },
  ],
});
