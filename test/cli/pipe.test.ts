// A reader that stops early closes the pipe: pgphase ends its output quietly, no stack trace.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempTree } from '../helpers/cli.js';

describe('output into a closed pipe', () => {
  it('ends quietly when the reader stops after one line', () => {
    const files = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [
        `m/${String(i).padStart(5, '0')}_t${i}.sql`,
        `CREATE TABLE t${i} (id int);\n`,
      ]),
    );
    const root = tempTree(files);
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" lint --list m | head -n 1`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^m: plain layout, 3000 migrations/);
    expect(r.stderr).toBe('');
  });
});
