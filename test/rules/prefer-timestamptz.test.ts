import { ruleCases } from '../helpers/lint.js';

await ruleCases('prefer-timestamptz', {
  valid: [{ sql: 'CREATE TABLE t (at timestamptz, d date);' }],
  invalid: [
    {
      sql: 'CREATE TABLE t (at timestamp);\nALTER TABLE t ADD COLUMN b timestamp without time zone;\nALTER TABLE t ALTER COLUMN c TYPE timestamp(3);',
      at: ['1:17', '2:26', '3:28'],
      message: 'timestamp without time zone',
    },
  ],
});
