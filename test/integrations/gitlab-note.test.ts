// The README's GitLab job that keeps one merge request note up to date, run as a GitLab runner
// runs it (its script lines in one `bash -eo pipefail` shell, in a merge request's clone, with
// the CI_* variables), against a stand-in for GitLab's notes API (curl answering from fixture notes).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { baseEnv, fakeTool, installPgphase, mergeRequest, sh } from './harness.js';

const readme = readFileSync('README.md', 'utf8');
const block = /```yaml\n(pgphase-note:\n[\s\S]*?)```/.exec(readme)?.[1];
const job = parse(block ?? '')?.['pgphase-note'] as {
  rules: Array<{ if: string }>;
  variables: Record<string, number>;
  script: string[];
};

// curl as the job calls it: a GET answers with $NOTES; a PUT or POST keeps its --data in $POSTED
const FAKE_CURL = [
  'method=GET; data=; url=',
  'while [ $# -gt 0 ]; do',
  '  case "$1" in',
  '    -X) method="$2"; shift ;;',
  '    -H) shift ;;',
  '    --data) data="$2"; shift ;;',
  '    -*) ;;',
  '    *) url="$1" ;;',
  '  esac',
  '  shift',
  'done',
  'echo "$method $url" >> "$CALLS"',
  'if [ "$method" = GET ]; then printf "%s" "$NOTES"; else printf "%s" "$data" > "$POSTED"; fi',
].join('\n');

function runNote(files: Record<string, string>, notes: Array<{ id: number; body: string }>) {
  const { dir, base } = mergeRequest(files, installPgphase);
  const tools = mkdtempSync(join(tmpdir(), 'pgphase-curl-'));
  fakeTool(join(tools, 'bin'), 'curl', join(tools, 'all.log'), FAKE_CURL);
  const env = baseEnv({
    PATH: `${join(tools, 'bin')}:${join(dir, 'node_modules/.bin')}:${process.env.PATH}`,
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_MERGE_REQUEST_DIFF_BASE_SHA: base,
    CI_API_V4_URL: 'https://gitlab.example/api/v4',
    CI_PROJECT_ID: '12',
    CI_MERGE_REQUEST_IID: '7',
    PGPHASE_GITLAB_TOKEN: 'token',
    NOTES: JSON.stringify(notes),
    CALLS: join(tools, 'calls.log'),
    POSTED: join(tools, 'posted.json'),
  });
  const run = sh(job.script.filter((line) => line !== 'npm ci').join('\n'), { cwd: dir, env });
  const calls = existsSync(join(tools, 'calls.log'))
    ? readFileSync(join(tools, 'calls.log'), 'utf8').split('\n').filter(Boolean)
    : [];
  const posted = existsSync(join(tools, 'posted.json'))
    ? (JSON.parse(readFileSync(join(tools, 'posted.json'), 'utf8')) as { body: string }).body
    : undefined;
  return { ...run, calls, posted, report: readFileSync(join(dir, 'pgphase.md'), 'utf8') };
}

const notes = 'https://gitlab.example/api/v4/projects/12/merge_requests/7/notes';
const RENAME = "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n";
const ADD = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n";

describe('GitLab merge request note (README)', () => {
  it('is a merge request job with the whole history', () => {
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job.variables.GIT_DEPTH).toBe(0);
  });

  it('posts the markdown report as a new note: findings by file, the lock, the plan command', {
    timeout: 120_000,
  }, () => {
    const r = runNote({ 'db/migrations/002_rename.sql': RENAME }, [{ id: 3, body: 'Looks good' }]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.calls).toEqual([`GET ${notes}?per_page=100&sort=asc`, `POST ${notes}`]);
    expect(r.posted).toBe(r.report);
    expect(r.posted).toMatch(/^<!-- pgphase lint -->\n## pgphase lint\n\n❌ 1 problem/);
    expect(r.posted).toContain('| ACCESS EXCLUSIVE on "users" |');
    expect(r.posted).toContain('Plan it in phases: `pgphase plan db/migrations/002_rename.sql`');
  });

  it('updates the note it wrote before, and writes none on a clean merge request without one', {
    timeout: 120_000,
  }, () => {
    const earlier = runNote({ 'db/migrations/003_email.sql': ADD }, [
      { id: 3, body: 'Looks good' },
      { id: 4, body: '<!-- pgphase lint -->\n## pgphase lint\n\n❌ before' },
    ]);
    expect(earlier.calls).toEqual([`GET ${notes}?per_page=100&sort=asc`, `PUT ${notes}/4`]);
    expect(earlier.posted).toMatch(/✅ 1 file, 2 statements: no problems/);
    const clean = runNote({ 'db/migrations/003_email.sql': ADD }, []);
    expect([clean.code, clean.calls.length, clean.posted]).toEqual([0, 1, undefined]);
  });
});
