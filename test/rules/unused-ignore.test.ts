import { ruleCases } from '../helpers/lint.js';

await ruleCases('unused-ignore', {
  valid: [
    { sql: '-- pgphase-ignore drop-column: contract phase of plan 42\nALTER TABLE users DROP COLUMN name;' },
    { sql: '-- pgphase-ignore-file drop-column: contract of plan 42\nSELECT 1;\nALTER TABLE users DROP COLUMN name;' },
    // a rule turned off suppresses nothing, and that is no news
    { sql: '-- pgphase-ignore drop-column: x\nSELECT 1;', severities: { 'drop-column': 'off' } },
  ],
  invalid: [
    { sql: '-- pgphase-ignore drop-column: contract phase\nALTER TABLE users ADD COLUMN a int;', at: ['1:1'], message: '"drop-column"' },
    // it applies to the next statement only
    { sql: 'SET lock_timeout = 1;\n-- pgphase-ignore drop-column: too early\nSELECT 1;\nALTER TABLE users DROP COLUMN name;', at: ['2:1'] },
  ],
});
