import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-check-validated', {
  valid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT total_ok CHECK (total >= 0) NOT VALID;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CHECK (a > 0);' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int CHECK (b > 0);' },
    {
      history: 'CREATE TABLE accounts (id int, score int);',
      sql: 'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS score int CHECK (score >= 0);',
    },
  ],
  invalid: [
    {
      sql: '\n ALTER TABLE orders ADD CONSTRAINT total_ok CHECK (total >= 0);',
      at: ['2:2'],
      message: 'CHECK (total >= 0) to "orders"',
    },
    // a column CHECK is checked on every existing row, with a default and without one (PostgreSQL 15 fails `ADD COLUMN x int CHECK (x IS NOT NULL)` on a non-empty table)
    {
      sql: 'ALTER TABLE accounts ADD COLUMN score int DEFAULT 0 CHECK (score >= 0);',
      at: ['1:1'],
      message: 'Adding column "score" to "accounts" with CHECK (score >= 0) reads every row',
    },
    {
      sql: 'ALTER TABLE accounts ADD COLUMN score int CHECK (score >= 0);',
      at: ['1:1'],
      message: 'column "score" to "accounts"',
    },
  ],
});
