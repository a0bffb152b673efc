import { ruleCases } from '../helpers/lint.js';

await ruleCases('prefer-jsonb', {
  valid: [{ sql: 'CREATE TABLE t (doc jsonb);' }],
  invalid: [{ sql: 'CREATE TABLE t (doc json);\nALTER TABLE t ALTER COLUMN doc TYPE json;', at: ['1:1', '2:1'], message: '"doc" is json' }],
});
