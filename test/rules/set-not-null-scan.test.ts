import { ruleCases } from '../helpers/lint.js';

const checked =
  'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;';
const unvalidated =
  'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;';
const notValid =
  'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;';

await ruleCases('set-not-null-scan', {
  valid: [
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 12 },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    // NOT NULL already: a no-op, on any version
    {
      history: 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);',
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN id SET NOT NULL;',
      pgVersion: 11,
    },
    {
      history: checked,
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 12,
    },
    // PostgreSQL 18: a not-null constraint added NOT VALID reads no row; nor does one the validated check proves
    {
      history: 'CREATE TABLE users (email text);',
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;',
      pgVersion: 18,
    },
    { history: checked, sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;', pgVersion: 18 },
    // a validated not-null constraint makes SET NOT NULL a no-op
    {
      history: notValid,
      sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 18,
    },
    // the syntax is PostgreSQL 18's; earlier versions refuse the statement
    {
      history: 'CREATE TABLE users (email text);',
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;',
      pgVersion: 17,
    },
  ],
  invalid: [
    // PostgreSQL 11 scans even with the check
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 11, at: ['1:1'] },
    {
      history: unvalidated,
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      at: ['1:1'],
      message: '"users"."email"',
    },
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;', at: ['1:1'] },
    {
      history: 'CREATE TABLE users (email text NOT NULL);',
      sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL, ALTER COLUMN email SET NOT NULL;',
      at: ['1:1'],
    },
    // PostgreSQL 18: ADD CONSTRAINT … NOT NULL reads every row like SET NOT NULL
    {
      history: 'CREATE TABLE users (email text);',
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;',
      pgVersion: 18,
      at: ['1:1'],
      message: 'Adding a NOT NULL constraint on "users"."email" reads every row',
    },
    // SET NOT NULL validates a NOT VALID not-null constraint, by reading every row
    {
      history: notValid,
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 18,
      at: ['1:1'],
      message: 'SET NOT NULL on "users"."email"',
    },
    {
      history: 'CREATE TABLE users (email text);',
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 18,
      at: ['2:1'],
    },
  ],
});
