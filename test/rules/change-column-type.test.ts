import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (id int PRIMARY KEY, email varchar(100), score numeric(10,2), name text, code smallint);';
const serials = 'CREATE TABLE accounts (id serial PRIMARY KEY, big_id bigserial);';

await ruleCases('change-column-type', {
  valid: [
    // the running version's timestamp parameters convert to the column and back: it keeps reading and writing
    {
      history: 'CREATE TABLE bookings (id bigint PRIMARY KEY, starts_at timestamp NOT NULL);',
      sql: 'ALTER TABLE bookings ALTER COLUMN starts_at TYPE timestamptz;',
    },
    // a column this migration added: the running version neither reads nor writes it
    {
      history,
      sql: 'ALTER TABLE users ADD COLUMN rank_new text;\nALTER TABLE users ALTER COLUMN rank_new TYPE integer USING rank_new::integer;',
    },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(200);' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN email TYPE text;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN code TYPE integer;' },
    { history, sql: 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,2);' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE text;' },
    // serial columns are integer columns: widening them is tolerated
    {
      history: serials,
      sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint;\nALTER TABLE accounts ALTER COLUMN big_id TYPE bigint;',
    },
  ],
  invalid: [
    // its array parameters have no equality with an array of another element type
    {
      history: 'CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids integer[]);',
      sql: 'ALTER TABLE posts ALTER COLUMN tag_ids TYPE bigint[];',
      at: ['1:1'],
      message: 'from integer[] to bigint[]',
    },
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(50);',
      at: ['1:1'],
      message: 'from varchar(100) to varchar(50)',
    },
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN name TYPE jsonb USING to_jsonb(name);',
      at: ['1:1'],
      message: 'from text to jsonb',
    },
    { history, sql: 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,4);', at: ['1:1'] },
    {
      history,
      sql: 'ALTER TABLE users ALTER COLUMN id TYPE smallint;',
      at: ['1:1'],
      message: 'from integer to smallint',
    },
    {
      sql: 'ALTER TABLE users ALTER COLUMN email TYPE text;',
      at: ['1:1'],
      severity: 'warning',
      message:
        'is assumed to break the running version: the old type of "email" is unknown; to know it, lint the file in its migration directory',
    },
    {
      history: serials,
      sql: 'ALTER TABLE accounts ALTER COLUMN big_id TYPE int;',
      at: ['1:1'],
      message: 'from bigint to integer',
    },
  ],
});
