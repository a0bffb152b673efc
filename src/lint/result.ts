// The result of a lint run: plain data that every reporter formats.
import type { Location } from '../sql/source.js';
import type { BaselineOutcome } from './baseline.js';
import type { FileResult } from './engine.js';

export interface LintSummary {
  files: number;
  statements: number;
  errors: number;
  warnings: number;
}

export interface LintResult {
  version: 1;
  files: FileResult[];
  summary: LintSummary;
  /** When a baseline was applied: the findings it held back (not in `files` nor `summary`) and its entries that match nothing now. */
  baseline?: BaselineOutcome;
}

/** What the summary counts of one file. */
export interface FileCounts {
  statements: number;
  errors: number;
  warnings: number;
}

export function countsOf(file: FileResult): FileCounts {
  let errors = 0;
  let warnings = 0;
  for (const f of file.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
  }
  return { statements: file.statements.length, errors, warnings };
}

/** The run's result; `kept` gives the counts of the files it holds without reading their findings
 *  (the lint cache's, whose results are parsed only when read). */
export function summarize(files: FileResult[], kept?: ReadonlyMap<FileResult, FileCounts>): LintResult {
  const summary: LintSummary = { files: files.length, statements: 0, errors: 0, warnings: 0 };
  for (const file of files) {
    const counts = kept?.get(file) ?? countsOf(file);
    summary.statements += counts.statements;
    summary.errors += counts.errors;
    summary.warnings += counts.warnings;
  }
  return { version: 1, files, summary };
}

function location(l: Location): Location {
  return { line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn };
}

/** A file as the JSON report has it (`--format json`, CLI.md): its fields as the contract names
 *  them, copied one by one so that a field added to the engine's data does not leak into a
 *  versioned output format unnoticed. */
function reportedFile(file: FileResult) {
  return {
    path: file.path,
    class: file.class,
    statements: file.statements.map((s) => ({
      index: s.index,
      class: s.class,
      kinds: [...s.kinds],
      location: location(s.location),
    })),
    findings: file.findings.map((f) => ({
      rule: f.rule,
      category: f.category,
      severity: f.severity,
      message: f.message,
      help: f.help,
      location: location(f.location),
      docs: f.docs,
    })),
  };
}

/** A file's line of the JSON report, which the lint cache keeps (cache.ts). */
export function fileJson(file: FileResult): string {
  return JSON.stringify(reportedFile(file));
}
