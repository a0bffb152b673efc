// A lint over several migration sets spreads them over worker threads (src/lint/threads.ts):
// the report is the one a single thread gives, set by set in the order given. Run on the built
// code, as users run it: the CLI's bundle and the library in dist/ (the TypeScript sources the
// other tests import lint on one thread).
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { cpuQuota } from '../../src/lint/threads.js';
import { runCli, tempTree } from '../helpers/cli.js';

/** A migration set of `files` files, each with `tables` tables that its later statements alter,
 *  index and drop: findings of several rules, and a schema model that every file advances. */
function history(name: string, files: number, tables: number): Record<string, string> {
  const tree: Record<string, string> = {};
  for (let f = 1; f <= files; f++) {
    const statements: string[] = [];
    for (let t = 0; t < tables; t++) {
      const table = `${name}_${f}_${t}`;
      statements.push(
        `CREATE TABLE ${table} (id bigint PRIMARY KEY, name text, created_at timestamptz DEFAULT now());`,
        `CREATE INDEX ${table}_name ON ${table} (name);`,
      );
      if (f > 1) {
        const earlier = `${name}_${f - 1}_${t}`;
        statements.push(
          `ALTER TABLE ${earlier} ADD COLUMN note text NOT NULL;`,
          `ALTER TABLE ${earlier} ALTER COLUMN name SET NOT NULL;`,
          `ALTER TABLE ${earlier} RENAME COLUMN created_at TO inserted_at;`,
        );
      }
      if (f > 2) statements.push(`DROP TABLE ${name}_${f - 2}_${t};`);
    }
    tree[`${name}/${String(f).padStart(4, '0')}_step.sql`] = `${statements.join('\n')}\n`;
  }
  return tree;
}

/** Counts, in a run's main thread (a worker loads it too), the .sql files read, and how many had
 *  been when each worker thread was made. */
const preload = join(
  tempTree({
    'preload.cjs': `const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  const fs = require('node:fs');
  const threads = require('node:worker_threads');
  const { readFileSync } = fs;
  const { Worker } = threads;
  let sql = 0;
  const atWorker = [];
  fs.readFileSync = function (path, ...rest) {
    if (String(path).endsWith('.sql')) sql++;
    return readFileSync.call(this, path, ...rest);
  };
  threads.Worker = class extends Worker {
    constructor(...args) {
      atWorker.push(sql);
      super(...args);
    }
  };
  process.on('exit', () => fs.writeSync(2, 'sql reads ' + sql + ', at each worker: ' + atWorker.join(' ') + '\\n'));
}
`,
  }),
  'preload.cjs',
);

// three sets of different sizes (560, 100 and 40 KB): more than one thread's worth of SQL, and
// one set that is alone
const dir = tempTree({
  ...history('big', 60, 28),
  ...history('mid', 20, 16),
  ...history('small', 8, 16),
  // a worker thread whose code fails: the counter it claims sets from throws
  'failing-worker.cjs': `if (!require('node:worker_threads').isMainThread) Atomics.add = () => { throw new Error('this worker fails'); };\n`,
  // a worker thread that takes 5 s to exit once its sets are linted
  'slow-exit.cjs': `if (!require('node:worker_threads').isMainThread)
  process.on('exit', () => {
    const end = Date.now() + 5000;
    while (Date.now() < end);
    require('node:fs').writeSync(2, 'the worker has exited\\n');
  });
`,
});
const sets = ['mid', 'big', 'small'];

// six sets of 30 files, about 200 KB each: three of them hold the SQL a second thread needs, two do not
const six = ['s1', 's2', 's3', 's4', 's5', 's6'];
const sixSets = Object.assign({}, ...six.map((name) => history(name, 30, 20))) as Record<string, string>;
const even = tempTree({
  ...sixSets,
  // a Prisma history whose migration's directory has a config that does not parse: its error
  // comes once every set is found, when the config of each file is read
  'prisma/20240101000000_init/migration.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
  'prisma/20240101000000_init/pgphase.config.json': '{',
});

const lintCli = (paths: string[], cwd = dir) => {
  const r = runCli(['lint', ...paths, '--format', 'json'], { cwd, env: { NODE_OPTIONS: `--require ${preload}` } });
  const [, reads, at] = /^sql reads (\d+), at each worker: (.*)$/m.exec(r.stderr)!;
  // the .sql files read when each worker was made
  const made = at === '' ? [] : at!.split(' ').map(Number);
  return { ...r, reads: Number(reads), made, workers: made.length, report: JSON.parse(r.stdout) };
};

describe('lint on several threads', () => {
  it('the CLI lints sets with more SQL than one thread pays for on worker threads, and reports what one thread does', () => {
    const together = lintCli(sets);
    expect(together.code).toBe(1);
    // 700 KB of SQL pays for two threads, where the machine has two CPUs
    expect(together.workers).toBe(Math.min(2, availableParallelism()) - 1);
    const single = lintCli([...sets, '--threads', '1']);
    expect(single.workers).toBe(0);
    expect(together.stdout).toBe(single.stdout);
    // a set is never split: the biggest alone, with more than one thread's worth of SQL, is linted on this thread
    const big = lintCli(['big']);
    expect(big.workers).toBe(0);
    expect(together.report.files.filter((f: { path: string }) => f.path.startsWith('big/'))).toEqual(big.report.files);
    // in the order given, whichever thread linted each set
    expect([...new Set(together.report.files.map((f: { path: string }) => f.path.split('/')[0]))]).toEqual(sets);
    expect(together.report.summary.errors).toBeGreaterThan(1000);
  });

  it('starts a worker while it is still finding the sets, as soon as those found hold the SQL to pay for it', () => {
    const chars = (name: string) =>
      Object.entries(sixSets)
        .filter(([path]) => path.startsWith(`${name}/`))
        .reduce((n, [, text]) => n + text.length, 0);
    // the premise: a second thread's 512 KB of SQL is in any three sets, in no two
    expect(Math.max(...six.map(chars)) * 2).toBeLessThan(512 * 1024);
    expect(Math.min(...six.map(chars)) * 3).toBeGreaterThanOrEqual(512 * 1024);
    const { code, reads, made } = lintCli(six, even);
    expect(code).toBe(1);
    expect(reads).toBe(six.length * 30);
    // the first worker made once three sets were read and before the last were (1.2 MB of SQL
    // pays for three threads, where the machine has three CPUs)
    expect(made).toHaveLength(Math.min(3, availableParallelism()) - 1);
    if (made.length === 0) return;
    expect(made[0]).toBeGreaterThanOrEqual(3 * 30);
    expect(made[0]).toBeLessThan(six.length * 30);
  });

  it('ends the workers it started when the lint fails after finding the sets', async () => {
    const api: typeof import('../../src/index.js') = await import(pathToFileURL(resolve('dist/src/index.js')).href);
    const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const { Worker } = threads;
    const made: InstanceType<typeof Worker>[] = [];
    threads.Worker = class extends Worker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        made.push(this);
      }
    };
    try {
      await expect(api.lint({ paths: ['s1', 's2', 'prisma'], cwd: even, threads: 2 })).rejects.toThrow(
        /pgphase\.config\.json: invalid JSON/,
      );
      expect(made).toHaveLength(1);
      // idle, it would wait for its work to the end of this process
      await vi.waitFor(() => expect(made[0]!.threadId).toBe(-1));
    } finally {
      threads.Worker = Worker;
    }
  });

  it("a worker thread's failure fails the run with its error, as this thread's would, and prints no report", () => {
    const r = runCli(['lint', ...sets, '--format', 'json'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${join(dir, 'failing-worker.cjs')}` },
    });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'pgphase: internal error: this worker fails (run with --debug for the stack trace)\n',
    });
  });

  it('reports once each worker has linted its last set, without waiting for it to exit', () => {
    const r = runCli(['lint', ...sets, '--format', 'json'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--require ${join(dir, 'slow-exit.cjs')}` },
    });
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(JSON.parse(r.stdout)).toEqual(lintCli([...sets, '--threads', '1']).report);
  });

  it('a small run, or one file, stays on one thread; --threads takes a whole number', () => {
    expect(lintCli(['small', 'mid/0001_step.sql']).workers).toBe(0);
    const wrong = runCli(['lint', 'small', '--threads', '0'], { cwd: dir });
    expect([wrong.code, wrong.stderr]).toEqual([2, 'pgphase: --threads 0: expected a whole number from 1 to 256\n']);
  });

  it('the library lints on as many threads as asked; on one when a rule is not its own or its worker code is not there', async () => {
    const api: typeof import('../../src/index.js') = await import(pathToFileURL(resolve('dist/src/index.js')).href);
    let started = 0;
    const count = () => started++;
    process.on('worker', count);
    try {
      const run = (options: Partial<Parameters<typeof api.lint>[0]>) =>
        api.lint({ paths: ['small', 'mid'], cwd: dir, ...options }).then((output) => output.result);
      const one = await run({ threads: 1 });
      expect(started).toBe(0);
      expect(await run({ threads: 2 })).toEqual(one);
      expect(started).toBe(1);
      // with a big set, which this thread takes first, the worker lints the others: its results
      // come as lines (the JSON report's, with the locks the report leaves out) and equal this thread's
      const all = { paths: ['big', 'mid', 'small'], cwd: dir };
      const oneAll = await api.lint({ ...all, threads: 1 });
      const twoAll = await api.lint({ ...all, threads: 2 });
      expect(started).toBe(2);
      const posted = [...twoAll.lines.keys()];
      expect(posted.length).toBeGreaterThan(0);
      expect(posted.some((file) => file.findings.some((f) => f.lock !== undefined))).toBe(true);
      expect(twoAll.result).toEqual(oneAll.result);
      // a rule of the caller's own is not one a worker can load
      const [first, ...rest] = api.rules;
      const own = { ...first!, meta: { ...first!.meta } };
      const mine = await run({ threads: 2, rules: [own, ...rest] });
      expect(started).toBe(2);
      expect(mine).toEqual(one);
      await expect(run({ threads: 0 })).rejects.toThrow('threads: 0 is not a whole number of at least 1');
      // the library without its worker's code beside it (taken into a file of its own by another
      // bundler): one thread, not a failure
      const copy = mkdtempSync(join(tmpdir(), 'pgphase-library-'));
      cpSync('dist', join(copy, 'dist'), { recursive: true });
      cpSync('package.json', join(copy, 'package.json'));
      symlinkSync(resolve('node_modules'), join(copy, 'node_modules'));
      rmSync(join(copy, 'dist', 'src', 'lint', 'lint-worker.js'));
      const bundled: typeof api = await import(pathToFileURL(join(copy, 'dist', 'src', 'index.js')).href);
      const without = await bundled.lint({ paths: ['small', 'mid'], cwd: dir, threads: 2 });
      expect(started).toBe(2);
      expect(without.result).toEqual(one);
    } finally {
      process.off('worker', count);
    }
  });

  it("counts a container's CPU quota, which a CI job's limit sets", () => {
    expect(cpuQuota({ max: '200000 100000\n' })).toBe(2);
    expect(cpuQuota({ max: '150000 100000\n' })).toBe(1.5);
    expect(cpuQuota({ max: 'max 100000\n' })).toBeUndefined();
    expect(cpuQuota({ quota: '400000\n', period: '100000\n' })).toBe(4);
    expect(cpuQuota({ quota: '-1\n', period: '100000\n' })).toBeUndefined();
    expect(cpuQuota({})).toBeUndefined();
  });
});
