import { ruleCases } from '../helpers/lint.js';

const long = 'a'.repeat(64);
const fits = `${'é'.repeat(31)}x`;

await ruleCases('identifier-too-long', {
  valid: [{ sql: `CREATE TABLE "${fits}" (${'b'.repeat(63)} int);` }],
  invalid: [
    { sql: `CREATE TABLE t (${long} int);`, at: ['1:17'], message: '64 bytes' },
    // later SQL spelling the long name still works; string comparisons and collisions are what break
    {
      sql: `CREATE INDEX ${long} ON t (a);`,
      at: ['1:14'],
      message:
        'SQL that spells the long name is truncated the same way and still works, but code that compares names as strings',
    },
    // bytes, not characters: 32 two-byte letters are 64 bytes
    { sql: `SELECT 1;\nALTER TABLE t RENAME COLUMN a TO "${'é'.repeat(32)}";`, at: ['2:34'], message: '64 bytes' },
    {
      sql: `CREATE INDEX ${long}_idx ON t (a);\nALTER TABLE t ADD CONSTRAINT ${long} CHECK (a > 0);`,
      at: ['1:14', '2:30'],
    },
    // truncated between characters, as PostgreSQL does: 15 emoji of 4 bytes, not half of the 16th
    { sql: `CREATE TABLE "${'🎉'.repeat(16)}" (a int);`, at: ['1:14'], message: `("${'🎉'.repeat(15)}")` },
    {
      sql: `ALTER TABLE t RENAME COLUMN c TO ${'🎉'.repeat(100_000)};`,
      at: ['1:34'],
      message: `("${'🎉'.repeat(15)}")`,
    },
    // mixed case folds to lower case, quoted keeps its case
    {
      sql: `CREATE TABLE ${'A'.repeat(40)}${'b'.repeat(30)} (x int);`,
      at: ['1:14'],
      message: `"${'a'.repeat(40)}${'b'.repeat(30)}"`,
    },
  ],
});
