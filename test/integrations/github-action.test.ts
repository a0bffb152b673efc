// action.yml, its steps executed as the runner executes a composite action: a pull request
// checked out with its base branch, the GITHUB_* files and variables, pgphase installed by
// the action's own install step (from this checkout instead of the registry).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { baseEnv, git, type JobRun, readYaml, ROOT, runSteps, type Step } from './harness.js';

interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = readYaml<Action>('action.yml');

/** A clone of a repository whose main branch has one migration, on a feature branch that commits `files` on top. */
function pullRequest(files: Record<string, string>, prepare?: (dir: string) => void): string {
  const origin = tempTree({ 'db/migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n', 'README.md': '# shop\n' });
  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'add', '.');
  git(origin, 'commit', '-qm', 'init');
  const work = join(mkdtempSync(join(tmpdir(), 'pgphase-pr-')), 'shop');
  git(origin, 'clone', '-q', origin, work);
  git(work, 'checkout', '-qb', 'feature');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(work, path), text);
  prepare?.(work);
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'change');
  return work;
}

function runAction(workspace: string, inputs: Record<string, string>): JobRun & { runnerTemp: string } {
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const runnerTemp = mkdtempSync(join(tmpdir(), 'pgphase-runner-temp-'));
  const env = baseEnv({
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_BASE_REF: 'main',
    GITHUB_HEAD_REF: 'feature',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: ROOT,
    RUNNER_TEMP: runnerTemp,
    // npm would run this checkout's `prepare` (a build) when linking it
    npm_config_ignore_scripts: 'true',
  });
  const job = runSteps(action.runs.steps, { cwd: workspace, env, contexts: { inputs: { ...defaults, ...inputs } } });
  return { ...job, runnerTemp };
}

const RENAME = "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n";
const ADD = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n";
const stepNamed = (job: JobRun, name: string) => job.steps.find((s) => s.name === name)!;

describe('GitHub Action (action.yml)', () => {
  it('is a composite action whose inputs have defaults and whose outputs come from its steps', () => {
    expect(action.runs.using).toBe('composite');
    for (const [name, input] of Object.entries(action.inputs)) expect([name, input.required, typeof input.default]).toEqual([name, false, 'string']);
    expect(Object.values(action.outputs).map((o) => o.value)).toEqual(['${{ steps.lint.outputs.exit-code }}', '${{ steps.lint.outputs.sarif-file }}']);
    expect(action.runs.steps.filter((s) => s.run !== undefined).every((s) => s.shell === 'bash')).toBe(true);
  });

  it('on a pull request with an unsafe migration: annotations, a summary, SARIF uploaded, the job fails', { timeout: 120_000 }, () => {
    const job = runAction(pullRequest({ 'db/migrations/002_rename.sql': RENAME, 'README.md': '# shop, renamed\n' }), { package: ROOT, sarif: 'true' });
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 0],
      ['Upload SARIF', false, 0],
      ['Fail on error findings', false, 1],
    ]);
    expect(job.failed).toBe(true);
    // only the migration the pull request adds, at its place
    const lint = stepNamed(job, 'Lint migrations');
    expect(lint.stdout).toMatch(/^::error file=db\/migrations\/002_rename\.sql,line=2,col=1,endLine=2,endColumn=\d+,title=rename-column::Renaming column "users"\."name"/m);
    expect(lint.stdout).not.toContain('001_users.sql');
    expect(job.outputs.lint).toEqual({ 'exit-code': '1', 'sarif-file': join(job.runnerTemp, 'pgphase.sarif') });
    expect(job.summary).toMatch(/^## pgphase lint\n\n❌ 1 problem \(1 error, 0 warnings\) in 1 file/);
    expect(job.summary).toContain('### `db/migrations/002_rename.sql`');
    // the upload gets the file the lint step wrote, and it is SARIF with the finding
    expect(stepNamed(job, 'Upload SARIF').with).toEqual({ sarif_file: join(job.runnerTemp, 'pgphase.sarif'), category: 'pgphase' });
    const sarif = JSON.parse(readFileSync(join(job.runnerTemp, 'pgphase.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri])).toEqual([
      ['rename-column', 'db/migrations/002_rename.sql'],
    ]);
    expect(stepNamed(job, 'Fail on error findings').stderr).toContain('pgphase lint found errors');
  });

  it('on a clean pull request (with a committed plan): no annotations, a green summary, no upload unless asked, the job passes', { timeout: 120_000 }, () => {
    const workspace = pullRequest({ 'db/migrations/003_email.sql': ADD }, (dir) => {
      writeFileSync(join(dir, '0042_rename.sql'), 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
      expect(runCli(['plan', '0042_rename.sql', '--history', 'db/migrations', '--out', 'db/plans/0042_rename'], { cwd: dir }).code).toBe(0);
      rmSync(join(dir, '0042_rename.sql'));
    });
    const job = runAction(workspace, { package: ROOT });
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 0],
      ['Upload SARIF', true, 0],
      ['Fail on error findings', true, 0],
    ]);
    expect(job.failed).toBe(false);
    expect(stepNamed(job, 'Lint migrations').stdout).toBe('');
    expect(job.outputs.lint!['exit-code']).toBe('0');
    // the plan's files are not migrations: its contract's drops are no findings
    expect(job.summary).toBe('## pgphase lint\n\n✅ 1 file, 2 statements: no problems\n\nChecked without findings: `db/migrations/003_email.sql`\n');
    expect(job.summary).not.toContain('db/plans/');
  });

  it('stops at the lint step with exit 2 and one line on a bad flag', { timeout: 120_000 }, () => {
    const job = runAction(pullRequest({ 'db/migrations/002_email.sql': ADD }), { package: ROOT, args: '--pg-version 9' });
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 2],
      ['Upload SARIF', true, 0],
      ['Fail on error findings', true, 0],
    ]);
    expect(stepNamed(job, 'Lint migrations').stderr).toBe('pgphase: --pg-version 9: expected a whole number from 11 to 18\n');
  });
});
