// GitLab Code Quality (a subset of the Code Climate issue format): the merge request widget
// and the diff show one issue per finding. GitLab tells new issues from fixed ones by
// fingerprint, so it depends only on what the finding is, never on the order of the run.
import { createRequire } from 'node:module';
import type { LintResult } from '../lint/result.js';
import type { Severity } from '../lint/rule.js';

// An error fails the lint job, a warning does not; GitLab's middle grades say the same.
const SEVERITY: Record<Severity, 'major' | 'minor'> = { error: 'major', warning: 'minor' };

export function formatGitlab(result: LintResult): string {
  // loaded here, not at import: every other report is written without it
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const seen = new Map<string, number>();
  const issues = result.files.flatMap((file) =>
    file.findings.map((finding) => {
      const { line, column, endLine } = finding.location;
      const identity = JSON.stringify([file.path, finding.rule, line, column, finding.message]);
      // the occurrence keeps two identical findings apart
      const occurrence = seen.get(identity) ?? 0;
      seen.set(identity, occurrence + 1);
      return {
        description: finding.message,
        check_name: finding.rule,
        fingerprint: createHash('sha256').update(`${identity}#${occurrence}`).digest('hex'),
        severity: SEVERITY[finding.severity],
        location: { path: file.path, lines: { begin: line, end: endLine } },
      };
    }),
  );
  return `${JSON.stringify(issues, null, 2)}\n`;
}
