// Commit-time linting as the hosts run it: pre-commit reads .pre-commit-hooks.yaml, picks
// the staged files its `files` pattern matches and runs `entry` with them; husky makes git
// run .husky/pre-commit (core.hooksPath) on `git commit`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../helpers/cli.js';
import { appProject, baseEnv, git, readYaml, ROOT, sh } from './harness.js';

// The hook fields of pre-commit's manifest schema (pre_commit/clientlib.py, MANIFEST_HOOK_DICT):
// a key it does not know is a typo here.
const LANGUAGES = [
  'conda',
  'coursier',
  'dart',
  'docker',
  'docker_image',
  'dotnet',
  'fail',
  'golang',
  'haskell',
  'julia',
  'lua',
  'node',
  'perl',
  'pygrep',
  'python',
  'r',
  'ruby',
  'rust',
  'swift',
  'system',
  'unsupported',
  'unsupported_script',
  'script',
] as const;
const hookSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  entry: z.string().min(1),
  language: z.enum(LANGUAGES),
  alias: z.string().optional(),
  files: z.string().default(''),
  exclude: z.string().default('^$'),
  types: z.array(z.string()).default(['file']),
  types_or: z.array(z.string()).default([]),
  exclude_types: z.array(z.string()).default([]),
  additional_dependencies: z.array(z.string()).default([]),
  args: z.array(z.string()).default([]),
  always_run: z.boolean().default(false),
  fail_fast: z.boolean().default(false),
  pass_filenames: z.boolean().default(true),
  description: z.string().default(''),
  language_version: z.string().default('default'),
  log_file: z.string().default(''),
  minimum_pre_commit_version: z.string().default('0'),
  require_serial: z.boolean().default(false),
  stages: z.array(z.string()).default([]),
  verbose: z.boolean().default(false),
});

const hooks = z.array(hookSchema).parse(readYaml('.pre-commit-hooks.yaml'));
const hook = hooks.find((h) => h.id === 'pgphase-lint')!;

const HISTORY: Record<string, string> = {};
for (let i = 1; i <= 30; i++) {
  HISTORY[`db/migrations/${String(i).padStart(3, '0')}_step.sql`] =
    i === 1
      ? 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n'
      : `SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN c${i} text;\nCREATE INDEX CONCURRENTLY users_c${i} ON users (c${i});\n`;
}
const RENAME = "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n";
const ADD = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n";

/** A project with a committed history of 30 migrations, and `staged` added to the index. */
function repository(staged: Record<string, string>): string {
  const dir = appProject({ ...HISTORY, '.gitignore': 'node_modules\n' });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'history');
  for (const [path, text] of Object.entries(staged)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'add', '.');
  return dir;
}

/** What pre-commit runs for a commit: `entry` and `args`, then the staged files `files` matches and `exclude` does not. */
function preCommit(dir: string) {
  const staged = git(dir, 'diff', '--staged', '--name-only', '--diff-filter=ACMRTUXB').split('\n').filter(Boolean);
  // pre-commit matches with Python's re.search; these patterns mean the same in JavaScript
  const files = staged.filter((f) => new RegExp(hook.files).test(f) && !new RegExp(hook.exclude).test(f));
  const [command, ...entryArgs] = hook.entry.split(' ');
  // a `language: node` hook runs from an environment whose bin directory is first in PATH
  const r = spawnSync(command!, [...entryArgs, ...hook.args, ...(hook.pass_filenames ? files : [])], {
    cwd: dir,
    env: baseEnv({ PATH: `${join(dir, 'node_modules/.bin')}:${process.env.PATH}` }),
    encoding: 'utf8',
  });
  return { files, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pre-commit (.pre-commit-hooks.yaml)', () => {
  it('declares pgphase-lint: a node hook on .sql files that passes them in one process', () => {
    expect(hooks.map((h) => h.id)).toEqual(['pgphase-lint']);
    expect(hook).toMatchObject({
      language: 'node',
      files: '\\.sql$',
      pass_filenames: true,
      require_serial: true,
      entry: 'pgphase lint',
    });
    // pre-commit installs a node hook with `npm install` and `npm pack` of this repository: the bin must be in the package
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin[hook.entry.split(' ')[0]!]).toBe('bin/pgphase.cjs');
  });

  it('fails a commit that stages an unsafe migration, naming it', () => {
    const r = preCommit(repository({ 'db/migrations/031_rename.sql': RENAME, 'notes.txt': 'not sql' }));
    expect(r.files).toEqual(['db/migrations/031_rename.sql']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('db/migrations/031_rename.sql:2:1  error  rename-column');
  });

  it('passes a commit of a safe migration and a plan directory', () => {
    const dir = repository({ 'db/migrations/031_email.sql': ADD });
    writeFileSync(join(dir, 'rename.sql'), RENAME);
    expect(
      runCli(['plan', 'rename.sql', '--history', 'db/migrations', '--out', 'db/plans/0042_rename'], { cwd: dir }).code,
    ).toBe(0);
    git(dir, 'add', 'db/plans');
    const r = preCommit(dir);
    expect(r.files).toContain('db/plans/0042_rename/4-contract.sql');
    expect([r.code, r.stdout]).toEqual([0, '✔ 1 file, 2 statements: no problems\n']);
  });
});

describe('husky (.husky/pre-commit running `npx pgphase lint --staged`)', () => {
  const HOOK = 'npx pgphase lint --staged';

  function withHusky(dir: string): void {
    writeFileSync(join(dir, '.husky/pre-commit'), `${HOOK}\n`, { mode: 0o755 });
    git(dir, 'config', 'core.hooksPath', '.husky');
  }

  it('is the hook the README gives', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`echo "${HOOK}" > .husky/pre-commit`);
  });

  it('refuses `git commit` of an unsafe migration and lets a safe one through', () => {
    const unsafe = repository({ 'db/migrations/031_rename.sql': RENAME, '.husky/.keep': '' });
    withHusky(unsafe);
    const refused = sh('git commit -qm rename', { cwd: unsafe, env: baseEnv() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('rename-column'); // git sends a hook's output to stderr
    expect(git(unsafe, 'rev-list', '--count', 'HEAD')).toBe('1');

    const safe = repository({ 'db/migrations/031_email.sql': ADD, '.husky/.keep': '' });
    withHusky(safe);
    expect(sh('git commit -qm email', { cwd: safe, env: baseEnv() }).code).toBe(0);
    expect(git(safe, 'rev-list', '--count', 'HEAD')).toBe('2');
  });
});
