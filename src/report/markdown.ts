// A pull-request comment: heading, one summary line, a section with a findings table per
// file with findings (the lock each statement takes, and the plan command where phases
// resolve them), and the files checked clean on one compact line at the end.
import type { FileResult } from '../lint/engine.js';
import type { LintResult } from '../lint/result.js';
import type { ReportOptions } from './options.js';
import { docsUrl, summaryText } from './wording.js';

/** Keeps text inside one table cell: `|` would end the cell, a line break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, '<br>');
}

function fileSection(file: FileResult, options: ReportOptions): string {
  const rows = file.findings.map((f) => {
    const rule = `[${f.rule}](${docsUrl(options.docsBaseUrl, f.docs)})`;
    return `| ${f.location.line} | ${f.severity} | ${rule} | ${cell(f.lock ?? '—')} | ${cell(f.message)} |`;
  });
  // Several findings of one rule usually share their help; say it once.
  const help = [...new Set(file.findings.map((f) => `- **${f.rule}**: ${f.help.replace(/\r?\n|\r/g, ' ')}`))];
  const plan = file.findings.some((f) => f.help.includes('`pgphase plan'))
    ? ['', `Plan it in phases: \`pgphase plan ${file.path}\``]
    : [];
  return [
    `### \`${file.path}\``,
    '',
    `Class: **${file.class}**`,
    '',
    '| Line | Severity | Rule | Lock | Message |',
    '| ---: | --- | --- | --- | --- |',
    ...rows,
    '',
    ...help,
    ...plan,
  ].join('\n');
}

/** The first line of every report: a pull request's comment is found by it and updated in place. */
export const COMMENT_MARKER = '<!-- pgphase lint -->';

export function formatMarkdown(result: LintResult, options: ReportOptions): string {
  const { errors, warnings } = result.summary;
  const mark = errors > 0 ? '❌' : warnings > 0 ? '⚠️' : '✅';
  const parts = [`${COMMENT_MARKER}\n## pgphase lint`, `${mark} ${summaryText(result.summary)}`];
  parts.push(...result.files.filter((f) => f.findings.length > 0).map((f) => fileSection(f, options)));
  const clean = result.files.filter((f) => f.findings.length === 0);
  if (clean.length > 0) parts.push(`Checked without findings: ${clean.map((f) => `\`${f.path}\``).join(', ')}`);
  return `${parts.join('\n\n')}\n`;
}
