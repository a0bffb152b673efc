// `lint --cache`: results of a migration set are reused exactly while nothing they depend on
// changes, and recomputed when anything does (a file, an earlier file, the config, flags).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/index.js';
import { decodeCache, encodeCache } from '../../src/lint/cache.js';
import { jsonReport } from '../../src/report/json.js';
import { tempTree } from '../helpers/cli.js';

/** The JSON report, joined. */
const jsonText = (...args: Parameters<typeof jsonReport>) => jsonReport(...args).join('');

const FILES = {
  'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  'migrations/002_index.sql': 'CREATE INDEX users_email ON users (email);\n',
};

/** Marks every cached finding, so that a result served from the cache is recognisable. */
function tamper(cacheFile: string, mark: (message: string) => string = () => 'FROM CACHE'): void {
  const sets = decodeCache(readFileSync(cacheFile)).map((set) => ({
    ...set,
    files: set.files.map((file) => {
      const result = JSON.parse(file.json.toString()) as { findings: { message: string }[] };
      for (const f of result.findings) f.message = mark(f.message);
      return { ...file, json: JSON.stringify(result) };
    }),
  }));
  writeFileSync(cacheFile, encodeCache(sets));
}

const messages = (out: Awaited<ReturnType<typeof lint>>) =>
  out.result.files.flatMap((f) => f.findings.map((x) => x.message));

describe('lint cache', () => {
  it('gives the same result as an uncached run, then serves it from the cache', async () => {
    const root = tempTree(FILES);
    const plain = await lint({ paths: ['migrations'], cwd: root });
    const first = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(first.result).toEqual(plain.result);
    expect(messages(first).length).toBeGreaterThan(0);

    tamper(join(root, '.cache', 'lint.cache'));
    const second = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(new Set(messages(second))).toEqual(new Set(['FROM CACHE']));
    expect([...second.sources.values()]).toEqual(Object.values(FILES));
  });

  it('keeps results with characters beyond ASCII exactly, and gives the JSON report their lines as kept', async () => {
    const root = tempTree({
      'migrations/001_t.sql':
        'CREATE TABLE "café_𝔱" (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, t_id bigint REFERENCES "café_𝔱");\n',
      'migrations/002_c.sql': 'ALTER TABLE "café_𝔱" ADD COLUMN n int NOT NULL;\n',
    });
    const plain = await lint({ paths: ['migrations'], cwd: root });
    const texts = (out: typeof plain) =>
      out.result.files.flatMap((f) => f.findings.map((x) => `${x.message} ${x.help}`));
    // non-ASCII in the names and in rule texts (`CREATE INDEX CONCURRENTLY … ON`)
    expect(texts(plain).join('\n')).toMatch(/café_𝔱/);
    expect(texts(plain).join('\n')).toMatch(/…/);
    // with locks, which the report's lines leave out and the cache keeps beside them
    const first = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(first.result.files.some((f) => f.findings.some((x) => x.lock !== undefined))).toBe(true);
    const second = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(second.result).toEqual(plain.result);
    // the report takes each line as kept: marked in the cache, the mark is in the report only
    tamper(join(root, '.cache', 'lint.cache'), (message) => `${message} (kept)`);
    const third = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(texts(third)).toEqual(
      plain.result.files.flatMap((f) => f.findings.map((x) => `${x.message} (kept) ${x.help}`)),
    );
    expect(third.lines.size).toBe(third.result.files.length);
    expect(jsonText(third.result, { lines: third.lines })).toBe(jsonText(third.result));
    expect(jsonText(second.result, { lines: second.lines })).toBe(jsonText(plain.result));
    // and a line it is given is the file's line, as it is
    const given = new Map([
      [third.result.files[0]!, { ...third.lines.get(third.result.files[0]!)!, json: '"as given"' }],
    ]);
    expect(jsonText(third.result, { lines: given })).toContain('"files":["as given",');
  });

  it.each([
    [
      'the linted file changes',
      (root: string) =>
        writeFileSync(join(root, 'migrations/002_index.sql'), 'CREATE INDEX users_email2 ON users (email);\n'),
    ],
    [
      'an earlier migration changes (the replayed schema)',
      (root: string) =>
        writeFileSync(
          join(root, 'migrations/001_users.sql'),
          'CREATE TABLE users (id bigint PRIMARY KEY, email text, x int);\n',
        ),
    ],
    [
      'a config appears',
      (root: string) =>
        writeFileSync(join(root, 'pgphase.config.json'), JSON.stringify({ rules: { 'missing-lock-timeout': 'off' } })),
    ],
  ])('recomputes when %s', async (_, change) => {
    const root = tempTree(FILES);
    await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    tamper(join(root, '.cache', 'lint.cache'));
    change(root);
    const after = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(messages(after)).not.toContain('FROM CACHE');
    expect(after.result).toEqual((await lint({ paths: ['migrations'], cwd: root })).result);
  });

  it('recomputes for other flags (severity override, PostgreSQL version) and for another target', async () => {
    const root = tempTree(FILES);
    await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    tamper(join(root, '.cache', 'lint.cache'));
    for (const options of [
      { pgVersion: 11 },
      { ruleOverrides: { 'create-index-non-concurrently': 'warning' as const } },
      { paths: ['migrations/001_users.sql'] },
    ]) {
      const out = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache', ...options });
      expect(messages(out)).not.toContain('FROM CACHE');
      expect(out.result).toEqual((await lint({ paths: ['migrations'], cwd: root, ...options })).result);
    }
  });

  it('parses a kept result only when it is read: the summary takes the counts kept beside it', async () => {
    const root = tempTree(FILES);
    const plain = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(plain.result.summary.errors).toBeGreaterThan(0);
    const file = join(root, '.cache', 'lint.cache');
    // every line damaged, and the counts of the first file changed
    const sets = decodeCache(readFileSync(file)).map((set) => ({
      ...set,
      files: set.files.map((f, i) => ({
        ...f,
        json: '{ damaged',
        counts: i === 0 ? { ...f.counts, errors: f.counts.errors + 10 } : f.counts,
      })),
    }));
    writeFileSync(file, encodeCache(sets));
    const kept = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(kept.result.summary).toEqual({ ...plain.result.summary, errors: plain.result.summary.errors + 10 });
    expect(jsonText(kept.result, { lines: kept.lines })).toContain('"files":[{ damaged,{ damaged]');
    // read, a damaged line names the cache and the fix
    expect(() => kept.result.files[0]!.findings).toThrow(/lint\.cache: damaged; delete it/);
  });

  it('ignores an unreadable cache and lints on when the cache cannot be written', async () => {
    const root = tempTree({
      ...FILES,
      '.cache/lint.cache': '{ not a cache',
      blocked: 'a file where the cache directory would go',
    });
    const plain = await lint({ paths: ['migrations'], cwd: root });
    expect((await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' })).result).toEqual(plain.result);
    expect(decodeCache(readFileSync(join(root, '.cache', 'lint.cache')))).toHaveLength(1);
    expect((await lint({ paths: ['migrations'], cwd: root, cacheDir: 'blocked' })).result).toEqual(plain.result);
  });
});
