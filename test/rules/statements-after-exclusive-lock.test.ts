import { ruleCases } from '../helpers/lint.js';

await ruleCases('statements-after-exclusive-lock', {
  valid: [
    {
      sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nREFRESH MATERIALIZED VIEW daily_totals;\nSELECT 1;',
      transaction: 'per-file',
    },
    { sql: 'UPDATE users SET a = 1 WHERE id = 1;\nALTER TABLE users ADD COLUMN b int;', transaction: 'per-file' },
    { sql: 'ALTER TABLE users ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON users (b);', transaction: 'none' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nSELECT 1;', transaction: 'per-file' },
    { sql: "BEGIN;\nALTER TABLE users ADD COLUMN b int;\nSET lock_timeout = '1s';\nCOMMIT;" },
    {
      sql: "ALTER TABLE docs ADD COLUMN title text;\nCOMMENT ON COLUMN docs.title IS 'The title';\nCOMMENT ON TABLE docs IS 'Docs';",
      transaction: 'per-file',
    },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD COLUMN b int;\nUPDATE orders SET x = 1;\nSELECT 1;',
      transaction: 'per-file',
      at: ['2:1'],
      message: '"users" taken at line 1',
    },
    {
      sql: 'BEGIN;\nALTER TABLE users ADD COLUMN b int;\nCREATE TABLE x (a int);\nCOMMIT;\nBEGIN;\nDROP TABLE old;\nSELECT 1;\nCOMMIT;',
      at: ['3:1', '7:1'],
    },
  ],
});
