// Wording shared by the reporters (the summary sentence, links to rule docs), so formats never disagree.
import type { LintSummary } from '../lint/result.js';

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `3 problems (2 errors, 1 warning) in 5 files, 42 statements` or `5 files, 42 statements: no problems`. */
export function summaryText(summary: LintSummary): string {
  const scope = `${plural(summary.files, 'file')}, ${plural(summary.statements, 'statement')}`;
  const problems = summary.errors + summary.warnings;
  if (problems === 0) return `${scope}: no problems`;
  return `${plural(problems, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}) in ${scope}`;
}

/** A finding's `docs` path (`rules/<id>.md`) as a link under the configured base. */
export function docsUrl(docsBaseUrl: string, docs: string): string {
  if (docsBaseUrl === '' || docsBaseUrl.endsWith('/')) return docsBaseUrl + docs;
  return `${docsBaseUrl}/${docs}`;
}
