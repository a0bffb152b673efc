import { ruleCases } from '../helpers/lint.js';

const users = 'CREATE TABLE users (id int PRIMARY KEY, email text);';
const notValid = `${users}\nALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;`;

await ruleCases('set-not-null', {
  valid: [
    // added with a default by this migration: the running version's INSERTs, which do not name it, get the default
    {
      history: 'CREATE TABLE invoices (id bigint PRIMARY KEY);',
      sql: "ALTER TABLE invoices ADD COLUMN currency text DEFAULT 'EUR';\nUPDATE invoices SET currency = 'EUR' WHERE currency IS NULL;\nALTER TABLE invoices ALTER COLUMN currency SET NOT NULL;",
    },
    // the default comes in the same statement, after SET NOT NULL: the statement as a whole gives it one
    {
      history: 'CREATE TABLE t (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE t ADD COLUMN flag boolean;\nUPDATE t SET flag = false;\nALTER TABLE t ALTER COLUMN flag SET NOT NULL, ALTER COLUMN flag SET DEFAULT false;',
    },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    // NOT NULL already (as declared, through the primary key, or set earlier): a no-op in PostgreSQL
    {
      history: 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);',
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN id SET NOT NULL;',
    },
    {
      history: 'CREATE TABLE users (email text);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    },
    // ADD CONSTRAINT … NOT NULL is PostgreSQL 18 syntax; earlier versions refuse the statement
    { history: users, sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;', pgVersion: 17 },
    // a NOT VALID not-null constraint already refuses new NULLs
    { history: notValid, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 18 },
    {
      history: notValid,
      sql: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 18,
    },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a;', pgVersion: 18 },
  ],
  invalid: [
    // added without a default by this migration, backfilled, then NOT NULL: every INSERT of the running version leaves it NULL
    {
      history: 'CREATE TABLE invoices (id bigint PRIMARY KEY);',
      sql: "ALTER TABLE invoices ADD COLUMN currency text;\nUPDATE invoices SET currency = 'EUR';\nALTER TABLE invoices ALTER COLUMN currency SET NOT NULL;",
      at: ['3:1'],
      message:
        'makes every INSERT of the running version fail: it does not know "currency", which this migration adds without a default',
    },
    { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', at: ['1:1'], message: '"users"."email" NOT NULL' },
    {
      history: 'CREATE TABLE users (email text NOT NULL, name text);',
      sql: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;',
      at: ['1:1'],
    },
    {
      history: 'CREATE TABLE users (email text NOT NULL);',
      sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      at: ['2:1'],
    },
    // PostgreSQL 18: a not-null constraint, NOT VALID or not, refuses new NULLs at once
    {
      history: users,
      sql: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;',
      pgVersion: 18,
      at: ['1:1'],
      message: '"users"."email" NOT NULL',
    },
    { history: users, sql: 'ALTER TABLE users ADD NOT NULL email NOT VALID;', pgVersion: 18, at: ['1:1'] },
    // DROP NOT NULL drops the NOT VALID constraint too
    {
      history: notValid,
      sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      pgVersion: 18,
      at: ['2:1'],
    },
  ],
});
