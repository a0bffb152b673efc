// Runs the integration files the way their hosts run them, on this machine and with the
// pgphase of this checkout: a project as `npm ci` leaves it, git repositories, and GitHub
// Actions steps (a composite action's, a workflow job's) under a fake runner environment.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { tempTree } from '../helpers/cli.js';

export const ROOT = resolve('.');

export function readYaml<T>(path: string): T {
  return parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

/** A project with pgphase among its dependencies, installed from this checkout. */
export function appProject(files: Record<string, string>): string {
  const dir = tempTree(files);
  installPgphase(dir);
  return dir;
}

/** Makes `dir` a project with pgphase among its dependencies, installed from this checkout (as `npm ci` leaves it). */
export function installPgphase(dir: string): void {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shop', private: true, dependencies: { pgphase: '*' } }),
  );
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules/pgphase'));
  symlinkSync('../pgphase/bin/pgphase.cjs', join(dir, 'node_modules/.bin/pgphase'));
}

/** The environment every command here starts from: nothing of the test runner's own. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH!,
    HOME: process.env.HOME!,
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
    ...extra,
  };
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: baseEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(script: string, options: { cwd: string; env: Record<string, string>; shell?: string[] }): Run {
  const [command, ...args] = options.shell ?? ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];
  const r = spawnSync(command!, [...args, script], { cwd: options.cwd, env: options.env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// --- GitHub Actions --------------------------------------------------------------------

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'timeout-minutes'?: number;
}

export interface Contexts {
  inputs: Record<string, string>;
  secrets?: Record<string, string>;
}

export interface StepRun extends Run {
  name: string;
  skipped: boolean;
  with?: Record<string, string>;
}

export interface JobRun {
  steps: StepRun[];
  outputs: Record<string, Record<string, string>>;
  /** Everything the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  failed: boolean;
}

type Scope = Contexts & { steps: Record<string, { outputs: Record<string, string> }> };

/**
 * The value of a context path (`inputs.x`, `secrets.x`, `steps.<id>.outputs.x`), the only
 * expressions these files use. An input or secret the test did not give is an error, so a
 * misspelt name fails here rather than being empty as on GitHub.
 */
function value(path: string, scope: Scope): string {
  const [context, ...rest] = path.trim().split('.');
  if (context === 'steps') {
    const [id, outputs, name] = rest;
    if (outputs !== 'outputs' || name === undefined) throw new Error(`unsupported expression: ${path}`);
    return scope.steps[id!]?.outputs[name] ?? '';
  }
  const table = context === 'inputs' ? scope.inputs : context === 'secrets' ? scope.secrets : undefined;
  if (!table || rest.length !== 1) throw new Error(`unsupported expression: ${path}`);
  const found = table[rest[0]!];
  if (found === undefined) throw new Error(`${path} is not given`);
  return found;
}

function substitute(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => value(expr, scope));
}

/** `path`, `path == 'literal'` or `path != 'literal'`; anything else is refused. */
function condition(expr: string, scope: Scope): boolean {
  const m = /^\s*([\w.-]+)\s*(?:(==|!=)\s*'([^']*)'\s*)?$/.exec(expr.replace(/^\$\{\{(.*)\}\}$/, '$1'));
  if (!m) throw new Error(`unsupported condition: ${expr}`);
  const left = value(m[1]!, scope);
  if (m[2] === undefined) return left !== '' && left !== 'false';
  return (left === m[3]) === (m[2] === '==');
}

/** `name=value` lines, as GITHUB_OUTPUT and GITHUB_ENV hold them. */
function keyValues(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq < 1 || line.includes('<<')) throw new Error(`unsupported line in ${file}: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Runs steps in order as the runner does: `run` steps with `bash -eo pipefail`, each with
 * its own GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, whose
 * contents reach the later steps; after a failed step the rest is skipped. A `uses` step
 * is recorded with its evaluated `with:`, not run; `skip` leaves out steps the test
 * stands in for (installing the project).
 */
export function runSteps(
  steps: Step[],
  options: { cwd: string; env: Record<string, string>; contexts: Contexts; skip?: (step: Step) => boolean },
): JobRun {
  const scope: Scope = { ...options.contexts, steps: {} };
  const temp = mkdtempSync(join(tmpdir(), 'pgphase-runner-'));
  let env = { ...options.env };
  const runs: StepRun[] = [];
  let summary = '';
  let failed = false;
  for (const [i, step] of steps.entries()) {
    const name = step.name ?? step.uses ?? step.run!;
    if (failed || (step.if !== undefined && !condition(step.if, scope)) || options.skip?.(step)) {
      runs.push({ name, skipped: true, code: 0, stdout: '', stderr: '' });
      continue;
    }
    if (step.uses !== undefined) {
      const inputs = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), scope)]),
      );
      runs.push({ name, skipped: false, code: 0, stdout: '', stderr: '', with: inputs });
      continue;
    }
    if (step.shell !== undefined && step.shell !== 'bash')
      throw new Error(`step ${name}: unsupported shell ${step.shell}`);
    const files = Object.fromEntries(
      ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'].map((k) => [k, join(temp, `${i}-${k}`)]),
    );
    for (const file of Object.values(files)) writeFileSync(file, '');
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), scope)]),
    );
    const run = sh(step.run!, { cwd: options.cwd, env: { ...env, ...stepEnv, ...files } });
    runs.push({ name, skipped: false, ...run });
    if (step.id !== undefined) scope.steps[step.id] = { outputs: keyValues(files.GITHUB_OUTPUT!) };
    env = { ...env, ...keyValues(files.GITHUB_ENV!) };
    const paths = readFileSync(files.GITHUB_PATH!, 'utf8').split('\n').filter(Boolean).reverse();
    if (paths.length > 0) env.PATH = [...paths, env.PATH].join(':');
    summary += readFileSync(files.GITHUB_STEP_SUMMARY!, 'utf8');
    failed = run.code !== 0;
  }
  return {
    steps: runs,
    outputs: Object.fromEntries(Object.entries(scope.steps).map(([id, s]) => [id, s.outputs])),
    summary,
    failed,
  };
}

/** `${{ … }}` in a workflow's job-level `env:`, evaluated like the steps' own. */
export function jobEnv(env: Record<string, string>, contexts: Contexts): Record<string, string> {
  const scope: Scope = { ...contexts, steps: {} };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(String(v), scope)]));
}

/** A shell script at `dir/name` (a stand-in for a tool) that appends its arguments to `log`. */
export function fakeTool(dir: string, name: string, log: string, body = ''): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`, { mode: 0o755 });
  appendFileSync(log, '');
}

/**
 * A merge (pull) request: a clone of a repository whose main branch has one migration, on a
 * feature branch that commits `files` on top, after `prepare` (given the clone) has run.
 * Returns the clone and the base commit.
 */
export function mergeRequest(
  files: Record<string, string>,
  prepare?: (dir: string) => void,
): { dir: string; base: string } {
  const origin = tempTree({
    'db/migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n',
    'README.md': '# shop\n',
    '.gitignore': 'node_modules\n',
  });
  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'add', '.');
  git(origin, 'commit', '-qm', 'init');
  const base = git(origin, 'rev-parse', 'HEAD');
  const dir = join(mkdtempSync(join(tmpdir(), 'pgphase-mr-')), 'shop');
  git(origin, 'clone', '-q', origin, dir);
  git(dir, 'checkout', '-qb', 'feature');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  prepare?.(dir);
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'change');
  return { dir, base };
}
