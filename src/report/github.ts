// GitHub Actions workflow commands: one annotation per finding, nothing else, so the log
// of a clean run stays empty and annotations are not drowned in summary noise.
import type { LintResult } from '../lint/result.js';
import type { Finding } from '../lint/rule.js';

const DATA = /[%\r\n]/;

// `%` first, so a literal `%0A` in a message stays literal instead of becoming a line break.
function escapeData(text: string): string {
  // most texts hold none of the three: one search instead of three replacements
  return DATA.test(text) ? text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A') : text;
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A finding's workflow command; `file`: its file's path, escaped as a property. */
function annotation(file: string, finding: Finding): string {
  const { line, column, endLine, endColumn } = finding.location;
  // The runner drops (with a warning) the columns of an annotation that spans several lines.
  const columns = line === endLine;
  const properties = [
    `file=${file}`,
    `line=${line}`,
    ...(columns ? [`col=${column}`] : []),
    `endLine=${endLine}`,
    ...(columns ? [`endColumn=${endColumn}`] : []),
    `title=${escapeProperty(finding.rule)}`,
  ];
  return `::${finding.severity} ${properties.join(',')}::${escapeData(finding.message)}%0A%0A${escapeData(finding.help)}`;
}

/** The commands in pieces, a file's each, which the CLI writes one after another (as the JSON report). */
export function formatGithub(result: LintResult): string[] {
  const pieces: string[] = [];
  for (const file of result.files) {
    if (file.findings.length === 0) continue;
    const path = escapeProperty(file.path);
    let commands = '';
    for (const finding of file.findings) commands += `${annotation(path, finding)}\n`;
    pieces.push(commands);
  }
  return pieces;
}
