import { describe, expect, it } from 'vitest';
import { lintSql, ruleCases, where } from '../helpers/lint.js';

await ruleCases('invalid-ignore', {
  valid: [
    { sql: '-- pgphase-ignore drop-column, drop-table: contract of plan 42\nALTER TABLE users DROP COLUMN a;\n' },
    // ignore comments apply to it like to any rule
    {
      sql: '-- pgphase-ignore-file invalid-ignore: names rules of a newer pgphase\n-- pgphase-ignore no-such-rule: because\nSELECT 1;',
    },
    {
      sql: '-- pgphase-ignore invalid-ignore: names a rule of a newer pgphase\n-- pgphase-ignore no-such-rule: because\nSELECT 1;',
    },
  ],
  invalid: [
    { sql: '-- pgphase-ignore drop-column\nALTER TABLE users DROP COLUMN a;', at: ['1:1'], message: 'gives no reason' },
    {
      sql: 'SELECT 1;\n  /* pgphase-ignore no-such-rule: because */\nSELECT 2;',
      at: ['2:3'],
      message: 'unknown rule "no-such-rule"',
    },
    { sql: '-- pgphase-ignore-file : reason\nSELECT 1;', at: ['1:1'], message: 'names no rule' },
  ],
});

describe('an invalid ignore does not apply', () => {
  it('keeps the finding it meant to suppress', () => {
    const result = lintSql('-- pgphase-ignore drop-column\nALTER TABLE users DROP COLUMN a;');
    expect(where(result, 'drop-column')).toEqual(['drop-column@2:1']);
  });
});
