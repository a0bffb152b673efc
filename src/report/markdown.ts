// A pull-request comment: heading, one summary line, a section with a findings table per
// file with findings, and the files checked clean on one compact line at the end.
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
    return `| ${f.location.line} | ${f.severity} | ${rule} | ${cell(f.message)} |`;
  });
  // Several findings of one rule usually share their help; say it once.
  const help = [...new Set(file.findings.map((f) => `- **${f.rule}**: ${f.help.replace(/\r?\n|\r/g, ' ')}`))];
  return [
    `### \`${file.path}\``,
    '',
    `Class: **${file.class}**`,
    '',
    '| Line | Severity | Rule | Message |',
    '| ---: | --- | --- | --- |',
    ...rows,
    '',
    ...help,
  ].join('\n');
}

export function formatMarkdown(result: LintResult, options: ReportOptions): string {
  const { errors, warnings } = result.summary;
  const mark = errors > 0 ? '❌' : warnings > 0 ? '⚠️' : '✅';
  const parts = ['## pgphase lint', `${mark} ${summaryText(result.summary)}`];
  parts.push(...result.files.filter((f) => f.findings.length > 0).map((f) => fileSection(f, options)));
  const clean = result.files.filter((f) => f.findings.length === 0);
  if (clean.length > 0) parts.push(`Checked without findings: ${clean.map((f) => `\`${f.path}\``).join(', ')}`);
  return `${parts.join('\n\n')}\n`;
}
