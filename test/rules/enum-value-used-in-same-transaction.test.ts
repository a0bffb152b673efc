import { ruleCases } from '../helpers/lint.js';

await ruleCases('enum-value-used-in-same-transaction', {
  valid: [
    {
      sql: "ALTER TYPE status ADD VALUE 'archived';\nUPDATE posts SET status = 'archived' WHERE id = 1;",
      transaction: 'none',
    },
    {
      sql: "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;\nUPDATE posts SET status = 'archived' WHERE id = 1;",
    },
  ],
  invalid: [
    {
      sql: "ALTER TYPE status ADD VALUE 'archived';\nUPDATE posts SET status = 'archived' WHERE id = 1;",
      transaction: 'per-file',
      at: ['2:1'],
      message: '\'archived\' of "status"',
    },
    {
      sql: "BEGIN;\nALTER TYPE status ADD VALUE 'x';\nALTER TABLE posts ALTER COLUMN status SET DEFAULT 'x';\nCOMMIT;",
      at: ['3:1'],
    },
  ],
});
