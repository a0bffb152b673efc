// The CLI's compile cache (bin/compile-cache.cjs): a run compiles from what an earlier run kept,
// a damaged or unwritable cache changes nothing of what the run prints, and an entry is never
// used for a file that changed, even one changed to the same size and modification time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';

const tree = tempTree({
  'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);',
  'migrations/002_email.sql': 'ALTER TABLE users ADD COLUMN email text NOT NULL;',
});
const cacheHome = () => mkdtempSync(join(tmpdir(), 'pgphase-cache-'));
const lint = (home: string, env: Record<string, string> = {}) =>
  runCli(['lint', join(tree, 'migrations')], {
    env: { XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
  });

/** Code that has the files under `dir` compiled through the cache. */
const useIn = (dir: string) =>
  `require(${JSON.stringify(resolve('bin/compile-cache.cjs'))})([${JSON.stringify(dir)}]);`;

/** The one cache file under `home`. */
function cacheFile(home: string): string {
  const names = readdirSync(join(home, 'pgphase'));
  expect(names).toHaveLength(1);
  return join(home, 'pgphase', names[0]!);
}

describe('the compile cache', () => {
  const home = cacheHome();
  const first = lint(home);

  it('is written by a first run, whose output it does not change', () => {
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('002_email.sql');
    expect(first.stderr).toBe('');
    expect(lint(cacheHome(), { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(first);
    expect(statSync(cacheFile(home)).size).toBeGreaterThan(10_000);
  });

  it('is used whole by the next run, which leaves it as it is', () => {
    const before = statSync(cacheFile(home));
    expect(lint(home)).toEqual(first);
    // a run that compiled anything without the cache would have renamed a new file over it
    const after = statSync(cacheFile(home));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("is a command's own: another command's run leaves the lint's as it is, which would hold what that run compiled", () => {
    const own = cacheHome();
    expect(lint(own)).toEqual(first);
    const before = statSync(cacheFile(own));
    const rules = runCli(['rules'], { env: { XDG_CACHE_HOME: own, NODE_DISABLE_COMPILE_CACHE: undefined } });
    expect(rules.code).toBe(0);
    expect(
      readdirSync(join(own, 'pgphase'))
        .map((name) => name.replace(/^.*-/, ''))
        .sort(),
    ).toEqual(['lint.v8', 'rules.v8']);
    const after = statSync(
      join(own, 'pgphase', readdirSync(join(own, 'pgphase')).find((n) => n.endsWith('-lint.v8'))!),
    );
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
  });

  it("keeps the deparser's code too, which a lint loads to print an expression", () => {
    const printed = tempTree({
      'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);',
      'migrations/002_check.sql': 'ALTER TABLE users ADD CONSTRAINT positive CHECK (id > 0);',
    });
    const own = cacheHome();
    const run = () =>
      runCli(['lint', join(printed, 'migrations')], {
        env: { XDG_CACHE_HOME: own, NODE_DISABLE_COMPILE_CACHE: undefined },
      });
    const ran = run();
    // the finding prints the CHECK's expression, as the deparser writes it
    expect(ran.stdout).toContain('(id > 0)');
    const bytes = readFileSync(cacheFile(own));
    const names = (JSON.parse(bytes.toString('utf8', 4, 4 + bytes.readUInt32LE(0))) as [string][]).map(
      ([name]) => name,
    );
    expect(names.some((name) => name.endsWith(join('pgsql-deparser', 'deparser.js')))).toBe(true);
    // and the next run compiles nothing without it
    const before = statSync(cacheFile(own));
    expect(run()).toEqual(ran);
    const after = statSync(cacheFile(own));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('damaged, is compiled anew and written again, not run', () => {
    const damaged = cacheHome();
    lint(damaged);
    const file = cacheFile(damaged);
    const bytes = readFileSync(file);
    // every 7th byte of each entry's code past V8's own header (magic number, versions, sizes,
    // checksum), which V8 checks anyway: only its checksum tells this damage, which without it crashes the process
    const headerEnd = 4 + bytes.readUInt32LE(0);
    let at = headerEnd;
    for (const [, , size] of JSON.parse(bytes.toString('utf8', 4, headerEnd)) as [string, string, number][]) {
      for (let i = at + 64; i < at + size; i += 7) bytes[i]! ^= 0x5a;
      at += size;
    }
    writeFileSync(file, bytes);
    const before = statSync(file);
    expect(lint(damaged)).toEqual(first);
    expect(statSync(file).ino).not.toBe(before.ino);
    expect(lint(damaged)).toEqual(first);
  });

  it('that cannot be written changes nothing', () => {
    const notADirectory = join(cacheHome(), 'file');
    writeFileSync(notADirectory, '');
    expect(lint(notADirectory)).toEqual(first);
    expect(lint(notADirectory)).toEqual(first);
  });

  it('is not written with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const off = cacheHome();
    lint(off, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(existsSync(join(off, 'pgphase'))).toBe(false);
  });

  it('leaves a file that imports an ES module to Node, so that its import() works from a cache too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgphase-cached-'));
    writeFileSync(join(dir, 'a.cjs'), "module.exports = import('node:path').then((path) => path.sep);");
    const load = () =>
      spawnSync(
        process.execPath,
        ['-e', `${useIn(dir)}require(${JSON.stringify(join(dir, 'a.cjs'))}).then((sep) => process.stdout.write(sep))`],
        {
          env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '' },
          encoding: 'utf8',
        },
      );
    expect([load(), load()].map((r) => [r.stdout, r.stderr])).toEqual([
      ['/', ''],
      ['/', ''],
    ]);
  });

  it('is not used for a file rewritten to the same size and modification time, as npm installs every file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgphase-cached-'));
    const file = join(dir, 'a.cjs');
    const npmTime = new Date('1985-10-26T08:15:00Z');
    const load = () =>
      spawnSync(process.execPath, ['-e', `${useIn(dir)}process.stdout.write(require(${JSON.stringify(file)}))`], {
        env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), NODE_DISABLE_COMPILE_CACHE: '' },
      }).stdout.toString();
    const version = (text: string) => {
      writeFileSync(file, `module.exports = '${text}';`);
      utimesSync(file, npmTime, npmTime);
    };
    version('one');
    expect([load(), load()]).toEqual(['one', 'one']);
    expect(readdirSync(join(dir, 'cache', 'pgphase'))).toHaveLength(1);
    version('two');
    expect([load(), load()]).toEqual(['two', 'two']);
  });
});
