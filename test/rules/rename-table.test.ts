import { ruleCases } from '../helpers/lint.js';

await ruleCases('rename-table', {
  valid: [{ sql: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;' }],
  invalid: [
    { sql: 'ALTER TABLE users RENAME TO accounts;', at: ['1:1'], message: 'Renaming table "users" to "accounts"' },
  ],
});
