import { ruleCases } from '../helpers/lint.js';

await ruleCases('cascade-drop', {
  valid: [{ sql: 'DROP TABLE IF EXISTS old;\nALTER TABLE t DROP COLUMN c;' }, { sql: 'TRUNCATE t CASCADE;' }],
  invalid: [
    { sql: 'DROP TABLE old CASCADE;', at: ['1:1'], message: 'DROP TABLE "old" CASCADE' },
    { sql: 'ALTER TABLE t DROP COLUMN c CASCADE, DROP CONSTRAINT k CASCADE;\nDROP VIEW v CASCADE;\nDROP INDEX i CASCADE;', at: ['1:1', '1:1', '2:1', '3:1'] },
  ],
});
