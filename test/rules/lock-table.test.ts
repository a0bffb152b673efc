import { ruleCases } from '../helpers/lint.js';

await ruleCases('lock-table', {
  valid: [{ sql: 'CREATE TABLE t (a int);\nLOCK TABLE t;' }],
  invalid: [{ sql: 'BEGIN;\nLOCK TABLE users IN SHARE MODE;\nCOMMIT;', at: ['2:1'], message: 'LOCK TABLE "users" IN SHARE MODE' }],
});
