// What a CLI process loads (the modules its bundle's files were built from). `pgphase verify`
// runs at every application start-up: it loads the CLI, the runner's verify and `pg`, not the
// rule registry, the linter, the parser, the reporters or zod; and help is the same whether one
// command or all of them are declared.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempTree } from '../helpers/cli.js';

// what a process loads: CommonJS modules (the CLI's bundle, pg) as require's cache has them at
// exit, ES modules (those loaded by import()) as a loader hook sees them
const hooks = tempTree({
  'preload.cjs': `const { register } = require('node:module');\nconst { pathToFileURL } = require('node:url');\nconst { writeSync } = require('node:fs');\nregister('./hooks.mjs', pathToFileURL(__filename));\nprocess.on('exit', () => {\n  for (const path of Object.keys(require.cache)) if (path !== __filename) writeSync(2, 'loaded ' + pathToFileURL(path).href + '\\n');\n});\n`,
  'hooks.mjs': `import { writeSync } from 'node:fs';\nexport async function load(url, context, next) {\n  writeSync(2, 'imported ' + url + '\\n');\n  return next(url, context);\n}\n`,
});

/** The modules a file of the CLI's bundle (dist/cli) was built from, as its source map lists them
 *  (the bundler's own runtime, which CommonJS chunks share, has no map). */
function bundled(path: string): string[] {
  if (!path.startsWith('dist/cli/') || !existsSync(`${path}.map`)) return [path];
  const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((source) => relative(process.cwd(), join(dirname(path), source)));
}

/** The modules a CLI process loads: pgphase's by path (dist/…), packages by name; and the ES
 *  modules among them (`imported`), before the source maps of the bundle's files are read. */
function loads(args: string[], cwd: string): { modules: string[]; packages: string[]; imported: string[] } {
  const r = spawnSync(process.execPath, ['--require', join(hooks, 'preload.cjs'), BIN, ...args], {
    cwd,
    encoding: 'utf8',
  });
  const files = (verb: string) =>
    r.stderr
      .split('\n')
      .filter((line) => line.startsWith(`${verb} file:`))
      .map((line) => relative(process.cwd(), fileURLToPath(line.slice(verb.length + 1))));
  const imported = files('imported');
  const paths = [...files('loaded'), ...imported].flatMap(bundled);
  const packages = paths.flatMap((p) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1] ?? []);
  return {
    modules: [...new Set(paths.filter((p) => !p.startsWith('node_modules/')))],
    packages: [...new Set(packages)].sort(),
    imported,
  };
}

/** A package and the packages it depends on, as installed. */
function withDependencies(name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  const pkg = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys(pkg.dependencies ?? {})) withDependencies(dependency, into);
  return into;
}

/** pgphase modules a start-up check has no use for: lint, rules, parsing, reporting, planning. */
const linting = (modules: string[]) =>
  modules.filter(
    (m) =>
      /^dist\/(rules|src\/(lint|sql(?!\/(names|node)\.js)|report|discover\/(?!names\.js)|schema|config|plan\/(?!types\.js)))\//.test(
        m,
      ) || m === 'dist/src/index.js',
  );

describe('pgphase start-up', () => {
  const dir = tempTree({
    'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY);\n',
    'm/002.sql': 'ALTER TABLE t ADD COLUMN note text;\n',
  });
  beforeAll(() => {
    expect(runCli(['plan', 'm/002.sql', '--history', 'm', '--out', 'plans/002'], { cwd: dir }).code).toBe(0);
  });
  // the database is not there: the modules verify and status load are the same
  const pgAndItsOwn = withDependencies('pg');
  const nowhere = ['--database-url', 'postgres://nobody@127.0.0.1:1/none'];

  it('verify loads the CLI, the runner and pg, and reads plan.json without zod', () => {
    const { modules, packages, imported } = loads(['verify', 'plans', ...nowhere], dir);
    expect(modules).toContain('dist/src/runner/verify.js');
    expect(imported).toEqual([]);
    expect(linting(modules)).toEqual([]);
    expect(packages).toContain('pg');
    expect(packages.filter((p) => !pgAndItsOwn.has(p))).toEqual(['commander']);
  });

  it('status loads the CLI, the runner and pg', () => {
    const { modules, packages, imported } = loads(['status', ...nowhere], dir);
    expect(modules).toContain('dist/src/runner/status.js');
    expect(imported).toEqual([]);
    expect(linting(modules)).toEqual([]);
    expect(packages).toContain('pg');
    expect(packages.filter((p) => !pgAndItsOwn.has(p))).toEqual(['commander']);
  });

  it('lint without a config file loads neither zod nor the planner and runner', () => {
    // zod is the validator of config files and plan.json: a lint reads neither here
    const { modules, packages, imported } = loads(['lint', 'm', '--format', 'json'], dir);
    expect(modules).toContain('dist/src/lint/engine.js');
    // all of it CommonJS: Node's ES module loader is not started
    expect(imported).toEqual([]);
    expect(modules.filter((m) => /^dist\/src\/(plan\/(?!types\.js|emit\/names\.js)|runner\/)/.test(m))).toEqual([]);
    expect(packages).toEqual(['chalk', 'commander', 'libpg-query']);
  });

  it("lint loads none of Node's own modules it has no use for: each not in Node's start-up snapshot costs its code", () => {
    const builtins = tempTree({
      'preload.cjs': `const before = new Set(process.moduleLoadList);\nprocess.on('exit', () => {\n  for (const m of process.moduleLoadList) if (!before.has(m) && m.startsWith('NativeModule ')) require('node:fs').writeSync(2, 'builtin ' + m.slice(13) + '\\n');\n});\n`,
    });
    const r = spawnSync(process.execPath, ['--require', join(builtins, 'preload.cjs'), BIN, 'lint', 'm/002.sql'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const loaded = r.stderr.split('\n').flatMap((line) => /^builtin (.+)$/.exec(line)?.[1] ?? []);
    // what the bin loads to set V8's flags: the preload sees it
    expect(loaded).toContain('v8');
    // commander's spawning of subcommands (child_process, net, dgram), node:fs/promises (readline
    // and file watching), node:module (the ES module loader and source maps): 7% of a lint of one
    // file; worker threads, which a lint of one set never starts
    expect(loaded.filter((m) => /^(child_process|dgram|fs\/promises|readline|module|worker_threads)$/.test(m))).toEqual(
      [],
    );
  });

  it('--version loads no implementation', () => {
    const { modules, packages } = loads(['--version'], dir);
    expect(modules.filter((m) => m.startsWith('dist/src/runner/'))).toEqual([]);
    expect(linting(modules).filter((m) => !m.startsWith('dist/src/report/'))).toEqual([]);
    expect(packages).not.toContain('pg');
  });

  it('a command declared alone has the help it has among all the others', () => {
    const commands = [...runCli(['--help']).stdout.matchAll(/^ {2}([a-z]+) /gm)]
      .map((m) => m[1]!)
      .filter((name) => name !== 'help');
    expect(commands).toEqual([
      'lint',
      'plan',
      'prove',
      'check',
      'trace',
      'stats',
      'run',
      'rollback',
      'verify',
      'status',
      'demo',
      'rules',
      'lsp',
      'mcp',
    ]);
    for (const name of commands) {
      const alone = runCli([name, '--help']);
      expect([name, alone.code, alone.stdout]).toEqual([name, 0, runCli(['help', name]).stdout]);
    }
  });
});
