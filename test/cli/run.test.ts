import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('pgphase run / rollback (CLI)', () => {
  it('exits 2 with one line for a missing, unknown or doubled phase, before touching a database', () => {
    const cases: Array<[string[], string]> = [
      [['run', 'plans/x'], 'pgphase: phase (none): expected one of expand, trigger, backfill, contract\n'],
      [['run', 'plans/x', 'shrink'], 'pgphase: phase shrink: expected one of expand, trigger, backfill, contract\n'],
      [['run', 'plans/x', 'expand', '--all'], 'pgphase: give a phase or --all, not both\n'],
      [
        ['rollback', 'plans/x', 'shrink'],
        'pgphase: phase shrink: expected one of expand, trigger, backfill, contract\n',
      ],
      [
        ['run', 'plans/x', 'expand', '--lock-timeout', '0ms'],
        'pgphase: --lock-timeout 0ms: expected a duration of at least 1ms like 2s or 500ms (0 would wait for locks forever)\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      // a database that is not there: the usage error comes first
      const r = runCli([...args, '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 2, stderr]);
    }
  });
});
