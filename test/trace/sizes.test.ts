// Size-aware severity: with the sizes of the user's tables (`--stats-from`, a stats file here),
// a finding about a lock-holding rewrite, scan or index build says how long it would block,
// and one under maxLockMs becomes a warning. The stats are the input: no large data.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lint, type Finding } from '../../src/index.js';
import { DEFAULT_THROUGHPUT, formatMs, workMs } from '../../src/trace/duration.js';
import { runCli, tempTree } from '../helpers/cli.js';

const GB = 1024 ** 3;
const STATS = {
  pgphaseStats: 1,
  server: 16,
  taken: '2026-01-01T00:00:00.000Z',
  tables: {
    'public.lookup': { rows: 200, tableBytes: 16384, indexBytes: 16384, indexes: 1 },
    'public.events': { rows: 400_000_000, tableBytes: 40 * GB, indexBytes: 12 * GB, indexes: 2, writesPerSecond: 850 },
  },
};

function project(config?: object): string {
  const root = tempTree({
    'db/001_tables.sql':
      'CREATE TABLE lookup (id int PRIMARY KEY, code text);\nCREATE TABLE events (id int PRIMARY KEY, n int);\nCREATE TABLE unknown (id int PRIMARY KEY, v text);\n',
    'db/002_change.sql':
      'CREATE INDEX lookup_code ON lookup (code);\nALTER TABLE events ALTER COLUMN n TYPE bigint;\nCREATE INDEX unknown_v ON unknown (v);\n',
    'stats.json': JSON.stringify(STATS),
    ...(config && { 'pgphase.config.json': JSON.stringify(config) }),
  });
  return root;
}

async function findings(
  root: string,
  options: { statsFrom?: string; maxLockMs?: number; cacheDir?: string } = {},
): Promise<Finding[]> {
  const { result } = await lint({ paths: ['db/002_change.sql'], cwd: root, ...options });
  return result.files.flatMap((f) => f.findings);
}

const of = (all: Finding[], rule: string, line: number) =>
  all.find((f) => f.rule === rule && f.location.line === line)!;

describe('lint --stats-from', () => {
  test('a non-concurrent index on a 200-row table is a warning that says how long; a rewrite of a 40 GB table stays an error', async () => {
    const root = project();
    const sized = await findings(root, { statsFrom: 'stats.json' });
    const small = of(sized, 'create-index-non-concurrently', 1);
    expect(small.severity).toBe('warning');
    expect(small.message).toMatch(/ \(≈ [\d.]+ ms under SHARE \(lookup: 200 rows\)\)$/);
    const large = of(sized, 'column-type-rewrite', 2);
    expect(large.severity).toBe('error');
    expect(large.message).toMatch(
      / \(≈ [\d.]+ (min|h) under ACCESS EXCLUSIVE \(events: 400,000,000 rows, 850 writes\/s\)\)$/,
    );
    // a table the stats do not name: unchanged
    const unknown = of(sized, 'create-index-non-concurrently', 3);
    expect(unknown.severity).toBe('error');
    expect(unknown.message).not.toContain('≈');
  });

  test('with --cache, every run is sized: the sizes are given to the statements a lint walks', async () => {
    const root = project();
    const sized = await findings(root, { statsFrom: 'stats.json' });
    expect(sized.some((f) => f.message.includes('≈'))).toBe(true);
    for (let run = 0; run < 2; run++)
      expect(await findings(root, { statsFrom: 'stats.json', cacheDir: '.cache' })).toEqual(sized);
  });

  test('without sizes nothing changes', async () => {
    const root = project();
    const plain = await findings(root);
    const sized = await findings(root, { statsFrom: 'stats.json' });
    expect(of(plain, 'create-index-non-concurrently', 1).severity).toBe('error');
    expect(plain.map((f) => f.rule)).toEqual(sized.map((f) => f.rule));
    expect(plain.every((f) => !f.message.includes('≈'))).toBe(true);
  });

  test('maxLockMs from the config, and the flag over it', async () => {
    const strict = project({ maxLockMs: 0 });
    expect(of(await findings(strict, { statsFrom: 'stats.json' }), 'create-index-non-concurrently', 1).severity).toBe(
      'error',
    );
    expect(
      of(await findings(strict, { statsFrom: 'stats.json', maxLockMs: 10_000 }), 'create-index-non-concurrently', 1)
        .severity,
    ).toBe('warning');
    // a limit above the rewrite's estimate makes it a warning too
    expect(
      of(await findings(project(), { statsFrom: 'stats.json', maxLockMs: 1e9 }), 'column-type-rewrite', 2).severity,
    ).toBe('warning');
  });

  test('the estimate scales with the table: the same work on 1000× the bytes takes 1000× as long', () => {
    const small = { rows: 1000, tableBytes: 1e6, indexBytes: 0, indexes: 0 };
    const large = { ...small, tableBytes: 1e9 };
    for (const work of ['rewrite', 'scan', 'index'] as const) {
      expect(workMs(work, large, DEFAULT_THROUGHPUT) / workMs(work, small, DEFAULT_THROUGHPUT)).toBeCloseTo(1000);
    }
    // a rewrite writes the indexes again too
    expect(workMs('rewrite', { ...small, indexBytes: 5e5 }, DEFAULT_THROUGHPUT)).toBeCloseTo(
      1.5 * workMs('rewrite', small, DEFAULT_THROUGHPUT),
    );
    expect([formatMs(3.2), formatMs(4200), formatMs(6 * 60_000), formatMs(2.5 * 3_600_000)]).toEqual([
      '≈ 3.2 ms',
      '≈ 4.2 s',
      '≈ 6 min',
      '≈ 2.5 h',
    ]);
  });

  test('a stats file that is not one is one line naming the file and how to write it', () => {
    const root = project();
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ ...STATS, tables: { 'public.lookup': { rows: -1 } } }));
    const run = runCli(['lint', 'db/002_change.sql', '--stats-from', 'bad.json'], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^pgphase: bad\.json: tables\.public\.lookup\.rows: .*; write it with `pgphase stats <url>`\n$/,
    );
    const missing = runCli(['lint', 'db/002_change.sql', '--stats-from', 'none.json'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^pgphase: none\.json: cannot read the stats file \(ENOENT\)/);
    const sized = runCli(['lint', 'db/002_change.sql', '--stats-from', 'stats.json', '--format', 'json'], {
      cwd: root,
    });
    expect(sized.stdout).toContain('under SHARE (lookup: 200 rows)');
  });
});
