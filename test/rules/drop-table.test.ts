import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-table', {
  valid: [{ sql: 'CREATE TABLE tmp (a int);\nDROP TABLE tmp;' }],
  invalid: [
    { sql: 'DROP TABLE IF EXISTS users, orders;', at: ['1:1', '1:1'] },
    { sql: 'CREATE TABLE a (x int);\nDROP TABLE a, legacy;', at: ['2:1'], message: '"legacy"' },
  ],
});
