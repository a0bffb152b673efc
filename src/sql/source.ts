// Parses SQL text with the real PostgreSQL grammar (libpg-query) into a SourceFile:
// statements with their spans, and a line index that turns the parser's UTF-8 byte
// offsets into 1-based line/column counted in characters (code points).
import { loadModule, parseSync, scanSync } from 'libpg-query';

/** A 1-based span in the original text; columns count characters. */
export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Statement {
  index: number;
  /** The statement's AST node, e.g. `{ AlterTableStmt: {...} }`. */
  node: Record<string, any>;
  /** Byte offsets into the UTF-8 encoding of the text: first token .. end of last token. */
  start: number;
  end: number;
  location: Location;
  /** The statement's SQL text (without the terminating semicolon). */
  text: string;
}

export interface Comment {
  text: string;
  start: number;
  end: number;
  location: Location;
}

/** An identifier as written in the text, before the parser truncates it to 63 bytes. */
export interface Identifier {
  name: string;
  start: number;
  end: number;
  location: Location;
}

export interface SyntaxErrorInfo {
  message: string;
  location: Location;
}

export interface SourceFile {
  path: string;
  text: string;
  statements: Statement[];
  comments: Comment[];
  identifiers: Identifier[];
  /** Set when the text does not parse; `statements` is then empty. */
  syntaxError?: SyntaxErrorInfo;
  lines: LineIndex;
}

let loaded: Promise<void> | undefined;

/** Loads the WASM parser once; every parse function below needs it. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Maps UTF-8 byte offsets of a text to 1-based line and character column. */
export class LineIndex {
  readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < this.bytes.length; i++) {
      if (this.bytes[i] === 0x0a) this.lineStarts.push(i + 1);
    }
  }

  /** Line and column of a byte offset (clamped to the text). */
  position(byteOffset: number): { line: number; column: number } {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo]!;
    let column = 1;
    for (let i = lineStart; i < offset; i++) {
      // count every byte that starts a code point (not a 10xxxxxx continuation byte)
      if ((this.bytes[i]! & 0xc0) !== 0x80) column++;
    }
    return { line: lo + 1, column };
  }

  /** The span from `start` to `end` (byte offsets, end exclusive). */
  span(start: number, end: number): Location {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The byte offset of the n-th code point (0-based), as PostgreSQL counts error positions. */
  byteOffsetOfCodePoint(n: number): number {
    let seen = 0;
    for (let i = 0; i < this.bytes.length; i++) {
      if ((this.bytes[i]! & 0xc0) !== 0x80) {
        if (seen === n) return i;
        seen++;
      }
    }
    return this.bytes.length;
  }

  slice(start: number, end: number): string {
    return this.bytes.subarray(start, end).toString('utf8');
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.bytes.length : next - 1;
    return this.slice(start, end).replace(/\r$/, '');
  }
}

interface Token {
  start: number;
  end: number;
  text: string;
  comment: boolean;
  semicolon: boolean;
  identifier: boolean;
}

function tokens(text: string): Token[] | undefined {
  try {
    return scanSync(text).tokens.map((t) => ({
      start: t.start,
      end: t.end,
      text: t.text,
      comment: t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT',
      semicolon: t.text === ';',
      identifier: t.tokenName === 'IDENT',
    }));
  } catch {
    return undefined;
  }
}

/**
 * Parses one file. Call `loadParser()` once before. Never throws for bad SQL:
 * a parse failure becomes `syntaxError` at the parser's cursor position.
 */
export function parseSource(path: string, text: string): SourceFile {
  const lines = new LineIndex(text);
  const toks = tokens(text) ?? [];
  const comments: Comment[] = toks
    .filter((t) => t.comment)
    .map((t) => ({ text: lines.slice(t.start, t.end), start: t.start, end: t.end, location: lines.span(t.start, t.end) }));
  const identifiers: Identifier[] = toks
    .filter((t) => t.identifier)
    .map((t) => ({
      name: t.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase(),
      start: t.start,
      end: t.end,
      location: lines.span(t.start, t.end),
    }));
  const code = toks.filter((t) => !t.comment && !t.semicolon);
  // only comments and white space: the parser calls that an empty query, a migration tool runs nothing
  if (toks.length > 0 && code.length === 0) return { path, text, statements: [], comments, identifiers, lines };
  if (text.trim() === '') return { path, text, statements: [], comments, identifiers, lines };
  let result: { stmts?: Array<{ stmt?: Record<string, any>; stmt_location?: number; stmt_len?: number }> };
  try {
    result = parseSync(text) as typeof result;
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    // cursorPosition counts characters (0-based), as PostgreSQL's error positions do
    const at = details?.cursorPosition === undefined ? lines.bytes.length : lines.byteOffsetOfCodePoint(details.cursorPosition);
    const message = (error as Error).message || 'syntax error';
    const location = lines.span(at, at);
    return { path, text, statements: [], comments, identifiers, lines, syntaxError: { message, location } };
  }
  const statements: Statement[] = [];
  let next = 0;
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    // The parser omits stmt_location for a statement at offset 0 and stmt_len for
    // the last statement (which then runs to the end of the text). Its span may
    // include leading comments and white space: trim to the statement's tokens.
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : lines.bytes.length;
    while (next < code.length && code[next]!.start < from) next++;
    let last = next;
    while (last < code.length && code[last]!.end <= to) last++;
    const start = code[next]?.start ?? from;
    const end = last > next ? code[last - 1]!.end : to;
    next = last;
    statements.push({
      index: statements.length,
      node: raw.stmt,
      start,
      end,
      location: lines.span(start, end),
      text: lines.slice(start, end),
    });
  }
  return { path, text, statements, comments, identifiers, lines };
}
