// The `--format json` contract of CLI.md: each file's line (`fileJson`), and the summary.
import { fileJson, type LintResult } from '../lint/result.js';
import type { ReportOptions } from './options.js';

/** The JSON report, one line, in pieces (a file's line each) to write one after another. */
export function jsonReport(result: LintResult, options?: Pick<ReportOptions, 'lines'>): string[] {
  const rest = {
    summary: {
      files: result.summary.files,
      statements: result.summary.statements,
      errors: result.summary.errors,
      warnings: result.summary.warnings,
    },
    // only with a baseline: what it held back (not counted above) and its entries that match nothing now
    ...(result.baseline && {
      baseline: {
        file: result.baseline.file,
        suppressed: { errors: result.baseline.suppressed.errors, warnings: result.baseline.suppressed.warnings },
        stale: result.baseline.stale.map((e) => ({
          rule: e.rule,
          file: e.file,
          fingerprint: e.fingerprint,
          count: e.count,
        })),
      },
    }),
  };
  // One line: a report of a whole history runs to megabytes, a third of them indentation. The
  // text JSON.stringify gives the whole object, built a file at a time: a file's copy is garbage
  // as soon as it is text, not kept to the end of the report (the lint of the 19 real histories
  // with an unchanged --cache: −2.2% of instructions). Not joined: the CLI encodes the pieces
  // into its output one by one (writeText), where one string of them all would be a copy of the
  // whole report (7.3 MB of text, 15 MB in memory: two bytes a character when one holds `…`).
  const parts = [`{"version":${JSON.stringify(result.version)},"files":[`];
  const files = result.files;
  for (let i = 0; i < files.length; i++) {
    if (i > 0) parts.push(',');
    parts.push(options?.lines?.get(files[i]!)?.json ?? fileJson(files[i]!));
  }
  parts.push(`],${JSON.stringify(rest).slice(1)}\n`);
  return parts;
}
