// `lint --cache`: results of a migration set are reused exactly while nothing they depend on
// changes, and recomputed when anything does (a file, an earlier file, the config, flags).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/index.js';
import { asciiJson } from '../../src/lint/cache.js';
import { tempTree } from '../helpers/cli.js';

const FILES = {
  'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  'migrations/002_index.sql': 'CREATE INDEX users_email ON users (email);\n',
};

/** Marks every cached finding, so that a result served from the cache is recognisable; written
 *  back as `encode` writes it (JSON.stringify: UTF-8, as an earlier version of the cache). */
function tamper(
  cacheFile: string,
  mark: (message: string) => string = () => 'FROM CACHE',
  encode: (value: unknown) => string = JSON.stringify,
): void {
  const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as {
    sets: Record<string, { files: { findings: { message: string }[] }[] }>;
  };
  for (const entry of Object.values(cache.sets))
    for (const file of entry.files) for (const f of file.findings) f.message = mark(f.message);
  writeFileSync(cacheFile, encode(cache));
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

    tamper(join(root, '.cache', 'lint.json'));
    const second = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(new Set(messages(second))).toEqual(new Set(['FROM CACHE']));
    expect([...second.sources.values()]).toEqual(Object.values(FILES));
  });

  it('keeps results with characters beyond ASCII exactly, in a file of ASCII only', async () => {
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
    await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    const file = join(root, '.cache', 'lint.json');
    expect(readFileSync(file).every((b) => b < 0x80)).toBe(true);
    const marked = (mark: string) =>
      plain.result.files.flatMap((f) => f.findings.map((x) => `${x.message}${mark} ${x.help}`));
    // read as the cache writes it (ASCII, a byte per character), and as UTF-8 (an earlier version's)
    tamper(file, (message) => `${message} (ascii)`, asciiJson);
    expect(readFileSync(file).every((b) => b < 0x80)).toBe(true);
    expect(texts(await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' }))).toEqual(marked(' (ascii)'));
    tamper(file, (message) => `${message} (utf-8)`);
    expect(readFileSync(file).some((b) => b >= 0x80)).toBe(true);
    expect(texts(await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' }))).toEqual(
      marked(' (ascii) (utf-8)'),
    );
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
    tamper(join(root, '.cache', 'lint.json'));
    change(root);
    const after = await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    expect(messages(after)).not.toContain('FROM CACHE');
    expect(after.result).toEqual((await lint({ paths: ['migrations'], cwd: root })).result);
  });

  it('recomputes for other flags (severity override, PostgreSQL version) and for another target', async () => {
    const root = tempTree(FILES);
    await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' });
    tamper(join(root, '.cache', 'lint.json'));
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

  it('ignores an unreadable cache and lints on when the cache cannot be written', async () => {
    const root = tempTree({
      ...FILES,
      '.cache/lint.json': '{ not json',
      blocked: 'a file where the cache directory would go',
    });
    const plain = await lint({ paths: ['migrations'], cwd: root });
    expect((await lint({ paths: ['migrations'], cwd: root, cacheDir: '.cache' })).result).toEqual(plain.result);
    expect(JSON.parse(readFileSync(join(root, '.cache', 'lint.json'), 'utf8'))).toHaveProperty('sets');
    expect((await lint({ paths: ['migrations'], cwd: root, cacheDir: 'blocked' })).result).toEqual(plain.result);
  });
});
