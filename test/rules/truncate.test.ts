import { ruleCases } from '../helpers/lint.js';

await ruleCases('truncate', {
  valid: [{ sql: 'CREATE TABLE staging (a int);\nTRUNCATE staging;' }],
  invalid: [
    { sql: 'TRUNCATE sessions;', at: ['1:1'], message: 'TRUNCATE "sessions" deletes every row' },
    {
      sql: 'TRUNCATE users, orders CASCADE;',
      at: ['1:1', '1:1'],
      message: 'CASCADE (and every table that references it)',
    },
  ],
});
