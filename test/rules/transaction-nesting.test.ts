import { ruleCases } from '../helpers/lint.js';

await ruleCases('transaction-nesting', {
  valid: [
    { sql: 'BEGIN;\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;' },
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nROLLBACK;', transaction: 'implicit' },
  ],
  invalid: [
    { sql: 'BEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;', at: ['3:1'], message: 'already open' },
    { sql: 'SELECT 1;\nBEGIN;\nSELECT 2;', at: ['2:1'], message: 'without a matching COMMIT' },
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT;', transaction: 'per-file', at: ['1:1', '3:1'], message: 'already runs in a transaction' },
  ],
});
