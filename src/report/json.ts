// The `--format json` contract of CLI.md. Fields are copied one by one so that a field
// added to the engine's data does not leak into a versioned output format unnoticed.
import type { LintResult } from '../lint/result.js';
import type { Location } from '../sql/source.js';

function location(l: Location): Location {
  return { line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn };
}

/** A file of the report: its fields as the contract names them. */
function reportedFile(file: LintResult['files'][number]) {
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

export function formatJson(result: LintResult): string {
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
  // with an unchanged --cache: −2.2% of instructions).
  const files = result.files.map((f) => JSON.stringify(reportedFile(f))).join(',');
  return `{"version":${JSON.stringify(result.version)},"files":[${files}],${JSON.stringify(rest).slice(1)}\n`;
}
