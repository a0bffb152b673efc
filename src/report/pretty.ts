// The terminal report: per file with findings its class, then per finding its position,
// message, a one-line code frame with carets under the span, help and docs; a summary last.
import { Chalk, type ChalkInstance } from 'chalk';
import type { FileResult } from '../lint/engine.js';
import type { LintResult } from '../lint/result.js';
import type { Finding } from '../lint/rule.js';
import type { Location } from '../sql/source.js';
import type { ReportOptions } from './options.js';
import { docsUrl, summaryText } from './wording.js';

// Terminal cells a code point takes, so carets line up under emoji and CJK text: an
// approximation of East Asian Width (wide ranges after Markus Kuhn's wcwidth) and of
// zero-width marks (combining marks, variation selectors, ZWJ).
const WIDE =
  /[\p{Emoji_Presentation}\u{1100}-\u{115F}\u{2E80}-\u{303E}\u{3041}-\u{33FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{A000}-\u{A4CF}\u{AC00}-\u{D7A3}\u{F900}-\u{FAFF}\u{FE30}-\u{FE4F}\u{FF00}-\u{FF60}\u{FFE0}-\u{FFE6}\u{20000}-\u{3FFFD}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;

function cells(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

// SQL identifiers and literals may hold control characters; printed raw they could move the
// cursor or recolour the terminal. One replacement character per code point keeps columns.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

function visible(text: string): string {
  return text.replace(CONTROLS, '\uFFFD');
}

/** Characters of a source line a code frame shows at most: a longer line (a whole migration on
 *  one line, an enormous literal) is cut to this many around the span, marked with `…`. */
const FRAME_WIDTH = 160;
/** Characters shown before the span when a long line is cut. */
const FRAME_LEAD = 20;

/** A source line as a code frame reads it: the line itself when each of its characters is one
 *  code unit and one terminal cell (printable ASCII, and tabs), else the array of its characters. */
type FrameLine = string | readonly string[];

/** Printable ASCII and tabs: the characters of a line that a code frame can take as it is. */
const PLAIN = /^[\t\x20-\x7e]*$/;

/** The source line and a caret line under the location's span on that line (to the line's end when the span goes on). */
function codeFrame(chars: FrameLine, location: Location): { source: string; carets: string } {
  // A syntax error at the end of input points one past the last character.
  const start = Math.min(Math.max(location.column - 1, 0), chars.length);
  const end = location.endLine === location.line ? Math.max(location.endColumn - 1, start) : chars.length;
  const from = chars.length <= FRAME_WIDTH ? 0 : Math.max(0, Math.min(start - FRAME_LEAD, chars.length - FRAME_WIDTH));
  const to = Math.min(chars.length, from + FRAME_WIDTH);
  const cut = from > 0 ? '…' : '';
  // Tabs are copied so the terminal expands them to the same stops as in the source line.
  // A plain line is sliced as it is, a cell per character: most findings are on one, and a
  // character at a time costs a frame about as much as the rest of its finding's block.
  const plain = typeof chars === 'string';
  const lead = plain
    ? chars.slice(from, start).replace(/[^\t]/g, ' ')
    : chars
        .slice(from, start)
        .map((c) => (c === '\t' ? '\t' : ' '.repeat(cells(c))))
        .join('');
  const width = plain
    ? Math.min(end, to) - start
    : chars.slice(start, Math.min(end, to)).reduce((n, c) => n + cells(c), 0);
  const shown = plain ? chars.slice(from, to) : chars.slice(from, to).join('');
  return {
    source: cut + shown + (to < chars.length ? '…' : ''),
    carets: (from > 0 ? ' ' : '') + lead + '^'.repeat(Math.max(width, 1)),
  };
}

/** Message and help text: line breaks normalized (a CR would otherwise show as a replacement character). */
function prose(text: string): string {
  // most texts hold neither a CR nor a control character: one search instead of two replacements
  return CONTROL.test(text) ? visible(text.replace(/\r\n?/g, '\n')) : text;
}

function indent(text: string, prefix: string): string {
  return prefix + text.replaceAll('\n', `\n${prefix}`);
}

function findingBlock(
  path: string,
  finding: Finding,
  frameLine: (line: number) => FrameLine | undefined,
  chalk: ChalkInstance,
  options: ReportOptions,
): string {
  const { line, column } = finding.location;
  const paint = finding.severity === 'error' ? chalk.red : chalk.yellow;
  const out = [
    `${path}:${line}:${column}  ${paint(finding.severity)}  ${chalk.dim(finding.rule)}`,
    chalk.bold(prose(finding.message)),
  ];
  const source = frameLine(line);
  if (source !== undefined) {
    const frame = codeFrame(source, finding.location);
    const gutter = String(line);
    out.push(
      `${chalk.dim(`${gutter} |`)} ${frame.source}`,
      `${chalk.dim(`${' '.repeat(gutter.length)} |`)} ${paint(frame.carets)}`,
    );
  }
  out.push(
    `${chalk.cyan('help:')} ${prose(finding.help)}`,
    `${chalk.cyan('docs:')} ${docsUrl(options.docsBaseUrl, finding.docs)}`,
  );
  return indent(out.join('\n'), '  ');
}

function fileBlock(file: FileResult, chalk: ChalkInstance, options: ReportOptions): string {
  const path = visible(file.path);
  const lines = options.sources.get(file.path)?.split('\n');
  // each line is read for frames once: thousands of findings may share one long line
  const frameLines = new Map<number, FrameLine>();
  const frameLine = (line: number) => {
    const text = lines?.[line - 1];
    if (text === undefined) return undefined;
    let read = frameLines.get(line);
    if (read === undefined) {
      const shown = text.replace(/\r$/, '');
      read = PLAIN.test(shown) ? shown : Array.from(visible(shown));
      frameLines.set(line, read);
    }
    return read;
  };
  const header = `${chalk.underline(path)} ${chalk.dim(`(${file.class})`)}`;
  return [header, ...file.findings.map((f) => findingBlock(path, f, frameLine, chalk, options))].join('\n\n');
}

/** The report in pieces, a file's block each, which the CLI writes one after another (as the JSON
 *  report): joined, the report of a whole history would be copied once more, into two bytes a
 *  character when one of its texts holds a character beyond Latin-1 (a rule text's `…`). */
export function formatPretty(result: LintResult, options: ReportOptions): string[] {
  // Our own instance: colour depends on the option alone, never on chalk's environment sniffing.
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const { errors, warnings } = result.summary;
  const summary =
    errors + warnings === 0
      ? chalk.green(`✔ ${summaryText(result.summary)}`)
      : (errors > 0 ? chalk.red : chalk.yellow).bold(`✖ ${summaryText(result.summary)}`);
  const pieces: string[] = [];
  for (const file of result.files) if (file.findings.length > 0) pieces.push(fileBlock(file, chalk, options), '\n\n');
  pieces.push(summary, '\n');
  return pieces;
}
