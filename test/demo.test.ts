import { describe, expect, it } from 'vitest';
import { demo } from '../src/demo.js';
import { runCli } from './helpers/cli.js';
import { testDatabase } from './helpers/db.js';

const db = await testDatabase();

describe('pgphase demo', () => {
  it('walks the rename through every phase with both versions working, on the given database', async () => {
    const lines: string[] = [];
    const errors = await demo({ rows: 5000, databaseUrl: db.url, print: (l) => lines.push(l) });
    const out = lines.join('\n');
    expect(errors).toBe(0);
    expect(out).toContain('plan: expand → trigger → backfill → contract');
    expect(out).toMatch(/old version \(uses "name"\): \d+ queries, 0 errors/);
    expect(out).toMatch(/new version \(uses "full_name"\): \d+ queries, 0 errors/);
    expect(out).toContain('both versions kept working through every phase');
  });

  it('runs on an embedded PostgreSQL from the command line, exit 0', () => {
    const r = runCli(['demo', '--rows', '3000']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('starting an embedded PostgreSQL');
    expect(r.stdout).toContain('both versions kept working through every phase');
    expect(r.code).toBe(0);
  }, 120_000);
});
