import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-table', {
  valid: [{ sql: 'CREATE TABLE tmp (a int);\nDROP TABLE tmp;' }],
  invalid: [
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'DROP TABLE IF EXISTS orders_backup;',
      at: ['1:1'],
      severity: 'warning',
      message: 'if the table exists: no migration pgphase read creates it',
    },
    {
      history: 'CREATE TABLE orders (id bigint PRIMARY KEY);',
      sql: 'DROP TABLE IF EXISTS orders;',
      at: ['1:1'],
      severity: 'error',
    },
    {
      sql: 'DROP TABLE IF EXISTS users, orders;',
      at: ['1:1', '1:1'],
      severity: 'warning',
      message: 'if the table exists: no migration pgphase read creates it',
    },
    { sql: 'CREATE TABLE a (x int);\nDROP TABLE a, legacy;', at: ['2:1'], message: '"legacy"' },
  ],
});
