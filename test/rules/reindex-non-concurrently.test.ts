import { ruleCases } from '../helpers/lint.js';

await ruleCases('reindex-non-concurrently', {
  valid: [
    { sql: 'REINDEX TABLE CONCURRENTLY users;' },
    // before PostgreSQL 12 there is no concurrent REINDEX to suggest
    { sql: 'REINDEX TABLE users;', pgVersion: 11 },
    { sql: 'CREATE TABLE t (a int);\nREINDEX TABLE t;' },
  ],
  invalid: [
    { sql: 'REINDEX TABLE users;', pgVersion: 12, at: ['1:1'], message: '"users"' },
    { sql: 'REINDEX INDEX users_email;', at: ['1:1'] },
  ],
});
