// GitHub Actions workflow commands: one annotation per finding, nothing else, so the log
// of a clean run stays empty and annotations are not drowned in summary noise.
import type { LintResult } from '../lint/result.js';
import type { Finding } from '../lint/rule.js';

// `%` first, so a literal `%0A` in a message stays literal instead of becoming a line break.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(path: string, finding: Finding): string {
  const { line, column, endLine, endColumn } = finding.location;
  // The runner drops (with a warning) the columns of an annotation that spans several lines.
  const columns = line === endLine;
  const properties = [
    `file=${escapeProperty(path)}`,
    `line=${line}`,
    ...(columns ? [`col=${column}`] : []),
    `endLine=${endLine}`,
    ...(columns ? [`endColumn=${endColumn}`] : []),
    `title=${escapeProperty(finding.rule)}`,
  ];
  return `::${finding.severity} ${properties.join(',')}::${escapeData(`${finding.message}\n\n${finding.help}`)}`;
}

export function formatGithub(result: LintResult): string {
  return result.files.flatMap((file) => file.findings.map((f) => `${annotation(file.path, f)}\n`)).join('');
}
