import { ruleCases } from '../helpers/lint.js';

await ruleCases('transaction-nesting', {
  valid: [
    { sql: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;' },
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nROLLBACK;', transaction: 'implicit' },
    // the finding about an unclosed BEGIN belongs to the BEGIN, so an ignore comment above it applies
    { sql: '-- pgphase-ignore transaction-nesting: the next file commits\nBEGIN;\nSELECT 1;' },
  ],
  invalid: [
    { sql: 'BEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;', at: ['3:1'], message: 'already open' },
    { sql: 'SELECT 1;\nBEGIN;\nSELECT 2;', at: ['2:1'], message: 'without a matching COMMIT' },
    {
      sql: 'BEGIN;\nSELECT 1;\nCOMMIT;',
      transaction: 'per-file',
      at: ['1:1', '3:1'],
      message: 'already runs in a transaction',
    },
    {
      sql: 'COMMIT;\nCREATE INDEX CONCURRENTLY i ON users (a);',
      transaction: 'per-file',
      at: ['1:1'],
      message: 'COMMIT in a file the migration tool already runs in a transaction: it ends',
    },
    { sql: 'SELECT 1;\nBEGIN;', transaction: 'per-file', at: ['2:1'], message: 'PostgreSQL only warns' },
  ],
});
