import { ruleCases } from '../helpers/lint.js';

await ruleCases('prefer-jsonb', {
  valid: [{ sql: 'CREATE TABLE t (doc jsonb);' }],
  invalid: [
    // the finding points at the column, after multibyte text and through a quoted name
    { sql: '-- 🎉 données\nCREATE TABLE t (id int,\n  "Dö""c" json);', at: ['3:3'], message: 'Column "Dö""c" is json' },
    {
      sql: 'CREATE TABLE t (doc json);\nALTER TABLE t ALTER COLUMN doc TYPE json;',
      at: ['1:17', '2:28'],
      message: '"doc" is json',
    },
  ],
});
