import { ruleCases } from '../helpers/lint.js';

await ruleCases('cascade-drop', {
  valid: [{ sql: 'DROP TABLE IF EXISTS old;\nALTER TABLE t DROP COLUMN c;' }, { sql: 'TRUNCATE t CASCADE;' }],
  invalid: [
    {
      sql: 'DROP TABLE old CASCADE;',
      at: ['1:1'],
      message: 'DROP TABLE "old" CASCADE also drops whatever depends on it',
    },
    {
      sql: 'ALTER TABLE t DROP COLUMN c CASCADE, ADD COLUMN d int;\nDROP VIEW v CASCADE;\nDROP INDEX i CASCADE;',
      at: ['1:1', '2:1', '3:1'],
    },
    // once per statement, naming every object
    {
      sql: 'ALTER TABLE app.t DROP COLUMN c CASCADE, DROP CONSTRAINT k CASCADE;',
      at: ['1:1'],
      message:
        'ALTER TABLE "app"."t" DROP COLUMN "c", DROP CONSTRAINT "k" CASCADE also drops whatever depends on any of them',
    },
    { sql: 'DROP VIEW a, b, c CASCADE;', at: ['1:1'], message: 'DROP VIEW "a", "b", "c" CASCADE' },
    {
      sql: 'DROP VIEW a, b, c, d, e, f CASCADE;',
      at: ['1:1'],
      message: 'DROP VIEW "a", "b", "c", "d", "e", "f" CASCADE',
    },
    {
      sql: 'DROP TABLE a, b, c, d, e, f, app.g CASCADE;',
      at: ['1:1'],
      message: 'DROP TABLE "a", "b", "c", "d", "e" and 2 more CASCADE',
    },
  ],
});
