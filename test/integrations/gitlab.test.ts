// examples/gitlab/.gitlab-ci.yml run as a GitLab runner runs a job: its script lines in one
// `bash -eo pipefail` shell, in a full clone of a merge request, with the CI_* variables
// GitLab sets; the Code Quality artifact it leaves is checked against GitLab's fields.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeQualityReport } from '../report/code-quality.js';
import { baseEnv, installPgphase, mergeRequest, readYaml, sh } from './harness.js';

interface GitlabJob {
  stage: string;
  image: string;
  rules: Array<{ if: string }>;
  variables: Record<string, string | number>;
  script: string[];
  artifacts: { when: string; reports: { codequality: string } };
}

const config = readYaml<Record<string, GitlabJob>>('examples/gitlab/.gitlab-ci.yml');
const job = config.pgphase!;

/** The job's script; `npm ci` is left out, the project being installed already. */
function runJob(mr: { dir: string; base: string }) {
  const script = job.script.filter((line) => line !== 'npm ci').join('\n');
  const env = baseEnv({
    GITLAB_CI: 'true',
    CI: 'true',
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_MERGE_REQUEST_DIFF_BASE_SHA: mr.base,
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
  });
  const run = sh(script, { cwd: mr.dir, env });
  const artifact = join(mr.dir, job.artifacts.reports.codequality);
  return {
    ...run,
    report: existsSync(artifact) ? codeQualityReport.parse(JSON.parse(readFileSync(artifact, 'utf8'))) : undefined,
  };
}

describe('GitLab CI (examples/gitlab/.gitlab-ci.yml)', () => {
  it('is a merge request job with the whole history that always keeps its Code Quality report', () => {
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(Number(job.variables.GIT_DEPTH)).toBe(0);
    expect(job.artifacts.when).toBe('always');
    expect(job.script.filter((line) => line !== 'npm ci').join('\n')).toContain(
      `> ${job.artifacts.reports.codequality}`,
    );
  });

  it('fails on an unsafe migration and reports it for the merge request widget', () => {
    const r = runJob(
      mergeRequest(
        { 'db/migrations/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n' },
        installPgphase,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.report!.map((i) => [i.check_name, i.severity, i.location.path, i.location.lines.begin])).toEqual([
      ['missing-lock-timeout', 'major', 'db/migrations/002_rename.sql', 1],
      ['rename-column', 'major', 'db/migrations/002_rename.sql', 1],
    ]);
    expect(new Set(r.report!.map((i) => i.fingerprint)).size).toBe(2);
  });

  it('passes a safe merge request with an empty report', () => {
    const r = runJob(
      mergeRequest(
        { 'db/migrations/002_email.sql': "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n" },
        installPgphase,
      ),
    );
    expect([r.code, r.report]).toEqual([0, []]);
  });

  it('passes a merge request without migrations, and the report is still valid', () => {
    const r = runJob(mergeRequest({ 'README.md': '# shop, renamed\n' }, installPgphase));
    expect([r.code, r.report]).toEqual([0, []]);
    expect(r.stderr).toContain('pgphase: no migration files to lint\n');
  });
});
