import { ruleCases } from '../helpers/lint.js';

await ruleCases('unused-ignore', {
  valid: [
    { sql: '-- pgphase-ignore drop-column: contract phase of plan 42\nALTER TABLE users DROP COLUMN name;' },
    { sql: '-- pgphase-ignore-file drop-column: contract of plan 42\nSELECT 1;\nALTER TABLE users DROP COLUMN name;' },
    // a rule turned off suppresses nothing, and that is no news
    { sql: '-- pgphase-ignore drop-column: x\nSELECT 1;', severities: { 'drop-column': 'off' } },
    // a finding reported at the end of the file on an earlier statement counts
    { sql: '-- pgphase-ignore transaction-nesting: the next file commits\nBEGIN;\nSELECT 1;' },
    // an ignore inside a statement applies to it
    { sql: 'ALTER TABLE users\n  -- pgphase-ignore drop-column: contract of plan 42\n  DROP COLUMN name;' },
    // turned off for the file, or for the ignores of one statement
    {
      sql: '-- pgphase-ignore-file unused-ignore: linted under PostgreSQL 11 and 15\n-- pgphase-ignore drop-column: x\nSELECT 1;',
    },
    { sql: '-- pgphase-ignore drop-column, unused-ignore: only under PostgreSQL 11\nSELECT 1;' },
  ],
  invalid: [
    {
      sql: '-- pgphase-ignore drop-column: contract phase\nALTER TABLE users ADD COLUMN a int;',
      at: ['1:1'],
      message: '"drop-column"',
    },
    // it applies to the next statement only
    {
      sql: 'SET lock_timeout = 1;\n-- pgphase-ignore drop-column: too early\nSELECT 1;\nALTER TABLE users DROP COLUMN name;',
      at: ['2:1'],
    },
    // an ignore inside a statement does not reach the next one
    {
      sql: 'ALTER TABLE users\n  -- pgphase-ignore drop-column: contract\n  ADD COLUMN a int;\nALTER TABLE users DROP COLUMN name;',
      at: ['2:3'],
    },
    // a statement's ignore of unused-ignore covers that statement's ignores only
    { sql: '-- pgphase-ignore unused-ignore: x\nSELECT 1;\n-- pgphase-ignore drop-column: y\nSELECT 2;', at: ['3:1'] },
  ],
});
