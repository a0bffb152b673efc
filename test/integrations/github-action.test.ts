// action.yml, its steps executed as the runner executes a composite action: a pull request
// checked out with its base branch, the GITHUB_* files and variables, pgphase installed by
// the action's own install step (from this checkout instead of the registry).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { baseEnv, fakeTool, type JobRun, mergeRequest, readYaml, ROOT, runSteps, type Step } from './harness.js';

interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = readYaml<Action>('action.yml');

function runAction(
  workspace: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): JobRun & { runnerTemp: string } {
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
    ...extraEnv,
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
    for (const [name, input] of Object.entries(action.inputs))
      expect([name, input.required, typeof input.default]).toEqual([name, false, 'string']);
    expect(Object.values(action.outputs).map((o) => o.value)).toEqual([
      '${{ steps.lint.outputs.exit-code }}',
      '${{ steps.lint.outputs.sarif-file }}',
      '${{ steps.lint.outputs.markdown-file }}',
    ]);
    expect(action.runs.steps.filter((s) => s.run !== undefined).every((s) => s.shell === 'bash')).toBe(true);
  });

  it('on a pull request with an unsafe migration: annotations, a summary, SARIF uploaded, the job fails', {
    timeout: 120_000,
  }, () => {
    const job = runAction(
      mergeRequest({ 'db/migrations/002_rename.sql': RENAME, 'README.md': '# shop, renamed\n' }).dir,
      {
        package: ROOT,
        sarif: 'true',
      },
    );
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 0],
      ['Upload SARIF', false, 0],
      ['Comment on the pull request', true, 0],
      ['Fail on error findings', false, 1],
    ]);
    expect(job.failed).toBe(true);
    // only the migration the pull request adds, at its place
    const lint = stepNamed(job, 'Lint migrations');
    expect(lint.stdout).toMatch(
      /^::error file=db\/migrations\/002_rename\.sql,line=2,col=1,endLine=2,endColumn=\d+,title=rename-column::Renaming column "users"\."name"/m,
    );
    expect(lint.stdout).not.toContain('001_users.sql');
    expect(job.outputs.lint).toEqual({
      'exit-code': '1',
      'sarif-file': join(job.runnerTemp, 'pgphase.sarif'),
      'markdown-file': join(job.runnerTemp, 'pgphase.md'),
    });
    expect(job.summary).toMatch(
      /^<!-- pgphase lint -->\n## pgphase lint\n\n❌ 1 problem \(1 error, 0 warnings\) in 1 file/,
    );
    expect(job.summary).toContain('### `db/migrations/002_rename.sql`');
    // the upload gets the file the lint step wrote, and it is SARIF with the finding
    expect(stepNamed(job, 'Upload SARIF').with).toEqual({
      sarif_file: join(job.runnerTemp, 'pgphase.sarif'),
      category: 'pgphase',
    });
    const sarif = JSON.parse(readFileSync(join(job.runnerTemp, 'pgphase.sarif'), 'utf8'));
    expect(
      sarif.runs[0].results.map(
        (r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => [
          r.ruleId,
          r.locations[0]!.physicalLocation.artifactLocation.uri,
        ],
      ),
    ).toEqual([['rename-column', 'db/migrations/002_rename.sql']]);
    expect(stepNamed(job, 'Fail on error findings').stderr).toContain('pgphase lint found errors');
  });

  it('on a clean pull request (with a committed plan): no annotations, a green summary, no upload unless asked, the job passes', {
    timeout: 120_000,
  }, () => {
    const workspace = mergeRequest({ 'db/migrations/003_email.sql': ADD }, (dir) => {
      writeFileSync(join(dir, '0042_rename.sql'), 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
      expect(
        runCli(['plan', '0042_rename.sql', '--history', 'db/migrations', '--out', 'db/plans/0042_rename'], { cwd: dir })
          .code,
      ).toBe(0);
      rmSync(join(dir, '0042_rename.sql'));
    }).dir;
    const job = runAction(workspace, { package: ROOT });
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 0],
      ['Upload SARIF', true, 0],
      ['Comment on the pull request', true, 0],
      ['Fail on error findings', true, 0],
    ]);
    expect(job.failed).toBe(false);
    expect(stepNamed(job, 'Lint migrations').stdout).toBe('');
    expect(job.outputs.lint!['exit-code']).toBe('0');
    // the plan's files are not migrations: its contract's drops are no findings
    expect(job.summary).toBe(
      '<!-- pgphase lint -->\n## pgphase lint\n\n✅ 1 file, 2 statements: no problems\n\nChecked without findings: `db/migrations/003_email.sql`\n',
    );
    expect(job.summary).not.toContain('db/plans/');
  });

  it('stops at the lint step with exit 2 and one line on a bad flag', { timeout: 120_000 }, () => {
    const job = runAction(mergeRequest({ 'db/migrations/002_email.sql': ADD }).dir, {
      package: ROOT,
      args: '--pg-version 9',
    });
    expect(job.steps.map((s) => [s.name, s.skipped, s.code])).toEqual([
      ['Install pgphase', false, 0],
      ['Lint migrations', false, 2],
      ['Upload SARIF', true, 0],
      ['Comment on the pull request', true, 0],
      ['Fail on error findings', true, 0],
    ]);
    expect(stepNamed(job, 'Lint migrations').stderr).toBe(
      'pgphase: --pg-version 9: expected a whole number from 11 to 18\n',
    );
  });

  // gh as the runner has it, answering from fixture comments with the action's own --jq (run by jq), and keeping what it posts
  const hasJq = spawnSync('jq', ['--version']).status === 0;
  describe.runIf(hasJq)('the pull request comment (comment: true)', () => {
    const FAKE_GH = [
      'method=GET; path=; expr=; body=',
      'while [ $# -gt 0 ]; do',
      '  case "$1" in',
      '    --method) method="$2"; shift ;;',
      '    --jq) expr="$2"; shift ;;',
      '    -F) body="${2#body=@}"; shift ;;',
      '    api|--paginate) ;;',
      '    *) path="$1" ;;',
      '  esac',
      '  shift',
      'done',
      'if [ "$method" = GET ]; then printf "%s" "$COMMENTS" | jq -r "$expr"; else cp "$body" "$POSTED"; fi',
    ].join('\n');

    /** The action run on a pull request event (or a push), with the comments the pull request has. */
    function commented(
      files: Record<string, string>,
      comments: Array<{ id: number; body: string }>,
      event: object = { pull_request: { number: 7 } },
    ) {
      const dir = mkdtempSync(join(tmpdir(), 'pgphase-gh-'));
      const log = join(dir, 'gh.log');
      fakeTool(join(dir, 'bin'), 'gh', log, FAKE_GH);
      writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
      const job = runAction(
        mergeRequest(files).dir,
        { package: ROOT, comment: 'true' },
        {
          PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
          GITHUB_EVENT_PATH: join(dir, 'event.json'),
          GITHUB_REPOSITORY: 'acme/shop',
          COMMENTS: JSON.stringify(comments),
          POSTED: join(dir, 'posted.md'),
        },
      );
      const calls = readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/body=@\S+/, 'body=@REPORT'));
      const posted = existsSync(join(dir, 'posted.md')) ? readFileSync(join(dir, 'posted.md'), 'utf8') : undefined;
      return { job, calls, posted };
    }

    it('posts the markdown report: findings by file, the lock each takes, the plan command', {
      timeout: 120_000,
    }, () => {
      const { job, calls, posted } = commented({ 'db/migrations/002_rename.sql': RENAME }, [
        { id: 41, body: 'Looks good' },
      ]);
      expect(stepNamed(job, 'Comment on the pull request').code).toBe(0);
      expect(calls).toEqual([
        'gh api --paginate repos/acme/shop/issues/7/comments --jq .[] | select(.body | startswith("<!-- pgphase lint -->")) | .id',
        'gh api --method POST repos/acme/shop/issues/7/comments -F body=@REPORT',
      ]);
      expect(posted).toBe(readFileSync(job.outputs.lint!['markdown-file']!, 'utf8'));
      const lines = posted!.split('\n');
      expect(lines.slice(0, 4)).toEqual([
        '<!-- pgphase lint -->',
        '## pgphase lint',
        '',
        '❌ 1 problem (1 error, 0 warnings) in 1 file, 2 statements',
      ]);
      expect(lines).toContain('### `db/migrations/002_rename.sql`');
      expect(lines.find((l) => l.startsWith('| 2 | error | [rename-column]'))).toContain(
        '| ACCESS EXCLUSIVE on "users" |',
      );
      expect(lines).toContain('Plan it in phases: `pgphase plan db/migrations/002_rename.sql`');
    });

    it('updates its own comment instead of adding another, also when the pull request is clean now', {
      timeout: 120_000,
    }, () => {
      const comments = [
        { id: 41, body: 'Looks good' },
        { id: 42, body: '<!-- pgphase lint -->\n## pgphase lint\n\n❌ an earlier run' },
      ];
      const { calls, posted } = commented({ 'db/migrations/003_email.sql': ADD }, comments);
      expect(calls[1]).toBe('gh api --method PATCH repos/acme/shop/issues/comments/42 -F body=@REPORT');
      expect(posted).toMatch(/^<!-- pgphase lint -->\n## pgphase lint\n\n✅ 1 file, 2 statements: no problems/);
    });

    it('adds no comment to a clean pull request without one, and none outside a pull request', {
      timeout: 120_000,
    }, () => {
      const clean = commented({ 'db/migrations/003_email.sql': ADD }, [{ id: 41, body: 'Looks good' }]);
      expect([clean.calls.length, clean.posted]).toEqual([1, undefined]);
      const push = commented({ 'db/migrations/002_rename.sql': RENAME }, [], { ref: 'refs/heads/main' });
      expect([push.calls, stepNamed(push.job, 'Comment on the pull request').stdout]).toEqual([
        [],
        'pgphase: not a pull request: no comment\n',
      ]);
    });
  });
});
