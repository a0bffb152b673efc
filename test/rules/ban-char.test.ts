import { ruleCases } from '../helpers/lint.js';

await ruleCases('ban-char', {
  valid: [{ sql: 'CREATE TABLE t (a text, b varchar(3));' }],
  invalid: [
    {
      sql: 'CREATE TABLE t (code char(3));\nALTER TABLE t ADD COLUMN c character(2);',
      at: ['1:17', '2:26'],
      message: 'blank-padded',
    },
  ],
});
