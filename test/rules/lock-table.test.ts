import { ruleCases } from '../helpers/lint.js';

await ruleCases('lock-table', {
  valid: [{ sql: 'CREATE TABLE t (a int);\nLOCK TABLE t;', transaction: 'per-file' }],
  invalid: [
    {
      sql: 'BEGIN;\nLOCK TABLE users IN SHARE MODE;\nCOMMIT;',
      at: ['2:1'],
      message: 'LOCK TABLE "users" IN SHARE MODE',
    },
    {
      sql: 'LOCK TABLE users IN SHARE MODE;',
      transaction: 'per-file',
      at: ['1:1'],
      message: 'holds the lock until the transaction ends',
    },
    // outside a transaction block LOCK TABLE is an error, on a new table too
    {
      sql: 'LOCK TABLE users;\nCREATE TABLE t (a int);\nLOCK TABLE t;',
      transaction: 'none',
      at: ['1:1', '3:1'],
      message: 'fails at run time: "LOCK TABLE can only be used in transaction blocks" (SQLSTATE 25P01)',
    },
    // a single statement sent alone does not get an implicit transaction block
    { sql: 'LOCK TABLE users;', transaction: 'implicit', at: ['1:1'], message: 'SQLSTATE 25P01' },
  ],
});
