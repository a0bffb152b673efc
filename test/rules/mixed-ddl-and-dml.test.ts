import { ruleCases } from '../helpers/lint.js';

await ruleCases('mixed-ddl-and-dml', {
  valid: [
    {
      sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nCREATE INDEX daily_totals_day ON daily_totals (day);\nUPDATE users SET a = 1 WHERE id = 1;',
      transaction: 'per-file',
    },
    { sql: 'ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;', transaction: 'none' },
    {
      sql: 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nALTER TABLE t ADD COLUMN b int;',
      transaction: 'per-file',
    },
    // in one query string, the COMMIT ends the first transaction
    { sql: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nUPDATE users SET a = 1;', transaction: 'implicit' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;',
      transaction: 'per-file',
      at: ['2:1'],
      message: 'lock a table in ACCESS EXCLUSIVE mode',
    },
    {
      sql: 'BEGIN;\nUPDATE users SET a = 1;\nCREATE INDEX i ON users (a);\nCOMMIT;',
      at: ['3:1'],
      message: 'lock a table in SHARE mode',
    },
    // in one query string, what runs before the BEGIN is part of its transaction
    {
      sql: 'UPDATE users SET a = 1;\nBEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;',
      transaction: 'implicit',
      at: ['3:1'],
    },
  ],
});
