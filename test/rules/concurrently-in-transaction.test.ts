import { ruleCases } from '../helpers/lint.js';

await ruleCases('concurrently-in-transaction', {
  valid: [
    { sql: 'CREATE INDEX CONCURRENTLY i ON users (email);', transaction: 'none' },
    // one statement sent as one query string is not a transaction block
    { sql: 'CREATE INDEX CONCURRENTLY i ON users (email);', transaction: 'implicit' },
    { sql: "ALTER TYPE mood ADD VALUE 'meh';", transaction: 'per-file', pgVersion: 12 },
    { sql: '-- pgphase: no-transaction\nCREATE INDEX CONCURRENTLY i ON users (email);', transaction: 'per-file' },
  ],
  invalid: [
    {
      sql: 'CREATE INDEX CONCURRENTLY i ON users (email);',
      transaction: 'per-file',
      at: ['1:1'],
      message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
    },
    { sql: 'SELECT 1;\nDROP INDEX CONCURRENTLY i;', transaction: 'implicit', at: ['2:1'] },
    { sql: 'BEGIN;\nREINDEX INDEX CONCURRENTLY i;\nCOMMIT;\nCREATE INDEX CONCURRENTLY j ON t (a);', at: ['2:1'] },
    {
      sql: "ALTER TYPE mood ADD VALUE 'meh';",
      transaction: 'per-file',
      pgVersion: 11,
      at: ['1:1'],
      message: 'ALTER TYPE … ADD VALUE',
    },
  ],
});
