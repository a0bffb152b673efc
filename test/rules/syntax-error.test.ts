import { ruleCases } from '../helpers/lint.js';

await ruleCases('syntax-error', {
  valid: [
    { sql: '' },
    { sql: '-- only a comment\n' },
    { sql: 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;' },
  ],
  invalid: [
    {
      sql: 'SELECT 1;\nALTER TABLE users ADD COLUM nickname text;',
      at: ['2:38'],
      message: 'syntax error at or near "text"',
    },
    { sql: '-- ünïcödé 🎉\nCREAT TABLE t (a int);', at: ['2:1'], message: '"CREAT"' },
    { sql: "SELECT 'unterminated", at: ['1:8'] },
  ],
});
