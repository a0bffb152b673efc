// The result of a lint run: plain data that every reporter formats.
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

export function summarize(files: FileResult[]): LintResult {
  const findings = files.flatMap((f) => f.findings);
  return {
    version: 1,
    files,
    summary: {
      files: files.length,
      statements: files.reduce((n, f) => n + f.statements.length, 0),
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}
