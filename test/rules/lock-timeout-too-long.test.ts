import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { ruleCases } from '../helpers/lint.js';

await ruleCases('lock-timeout-too-long', {
  valid: [
    { sql: "SET lock_timeout = '2s';" },
    { sql: "SET lock_timeout = '5s';" },
    { sql: 'SET lock_timeout = 5000;' },
    { sql: 'SET lock_timeout = 0;' },
    // a value PostgreSQL refuses is not a timeout at all
    { sql: "SET lock_timeout = '2 seconds';" },
    { sql: "SET lock_timeout = '30s';", maxLockTimeout: 30_000 },
  ],
  invalid: [
    {
      sql: "SET lock_timeout = '10s';\nALTER TABLE users ADD COLUMN a int;",
      at: ['1:1'],
      message: 'lock_timeout is set to 10s, longer than 5s',
    },
    { sql: "BEGIN;\nSET LOCAL lock_timeout = '1min';\nCOMMIT;", at: ['2:1'], message: 'set to 1min' },
    { sql: 'SET lock_timeout = 5001;', at: ['1:1'], message: 'set to 5001ms' },
    { sql: "SELECT set_config('lock_timeout', '1h', false);", at: ['1:1'], message: 'set to 60min' },
    { sql: "SET lock_timeout = '2s';", maxLockTimeout: 1000, at: ['1:1'], message: 'longer than 1s' },
  ],
});

describe('lock-timeout-too-long: the bound from the config', () => {
  const lint = (config: object) => {
    const dir = tempTree({
      'pgphase.config.json': JSON.stringify(config),
      'm/001_a.sql': "SET lock_timeout = '10s';\n",
    });
    return runCli(['lint', 'm', '--format', 'json'], { cwd: dir });
  };

  it('reads maxLockTimeout', () => {
    const rules = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ rule: string }> }> }).files.flatMap((f) =>
        f.findings.map((x) => x.rule),
      );
    expect(rules(lint({}))).toContain('lock-timeout-too-long');
    expect(rules(lint({ maxLockTimeout: '30s' }))).not.toContain('lock-timeout-too-long');
  });

  it('refuses a value that is not a duration, in one line', () => {
    const r = lint({ maxLockTimeout: '5 seconds' });
    expect([r.code, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(r.stderr).toContain('maxLockTimeout: expected a duration like 5s');
  });
});
