// Reporters: pure functions from a LintResult to the text the CLI prints. They never
// read the environment or write anywhere; the CLI decides colour and where output goes.
import type { LintResult } from '../lint/result.js';
import type { FormatName } from './formats.js';
import type { ReportOptions } from './options.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { jsonReport } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatPretty } from './pretty.js';
import { formatSarif } from './sarif.js';

const formatters: Record<FormatName, (result: LintResult, options: ReportOptions) => string | string[]> = {
  pretty: formatPretty,
  json: jsonReport,
  github: formatGithub,
  sarif: formatSarif,
  markdown: formatMarkdown,
  gitlab: formatGitlab,
};

/**
 * The report as text, ending with a newline, ready for `process.stdout.write`.
 * Empty when the format has nothing to say (github on a clean result).
 */
export function formatResult(result: LintResult, format: FormatName, options: ReportOptions): string {
  const report = reportText(result, format, options);
  return typeof report === 'string' ? report : report.join('');
}

/** The report as `formatResult` gives it, or in pieces to write one after another (the JSON
 *  report a file's line each, the pretty one a file's block each, GitHub's a file's commands
 *  each): what the CLI writes. */
export function reportText(result: LintResult, format: FormatName, options: ReportOptions): string | string[] {
  return formatters[format](result, options);
}
