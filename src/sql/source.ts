// Parses SQL text with the real PostgreSQL grammar (libpg-query) into a SourceFile:
// statements with their spans, and a line index that turns the parser's UTF-8 byte
// offsets into 1-based line/column counted in characters (code points).
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { identifierName, lex } from './lexer.js';

/** A 1-based span in the original text; columns count characters. */
/** A node of libpg-query's parse tree, as its JSON has it (`{ NodeType: { field: … } }`): untyped by the parser. */
// biome-ignore lint/suspicious/noExplicitAny: the parser's JSON has no types; its readers check each field they use
export type PgNode = Record<string, any>;

export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Statement {
  index: number;
  /** The statement's AST node, e.g. `{ AlterTableStmt: {...} }`. */
  node: PgNode;
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

/** An identifier longer than 63 bytes as written in the text (quoted: without its quotes;
 *  unquoted: folded to lower case), before the parser truncates it to 63 bytes. */
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
  /** Only the identifiers over 63 bytes: shorter ones are in the AST as written. */
  identifiers: Identifier[];
  /** Set when the text does not parse, holds a NUL byte or a statement nested too deeply to analyse; `statements` is then empty. */
  syntaxError?: SyntaxErrorInfo;
  lines: LineIndex;
}

/** What this module uses of the parser's emscripten module (libpg-query's WASM build). */
interface ParserModule {
  /** Views of the WASM memory; a grown memory replaces them, so read them after each call. */
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  /** Parses a NUL-terminated UTF-8 string; returns a PgQueryParseResult: {tree, stderr, error} pointers. */
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
  /** Parses a CREATE FUNCTION … LANGUAGE plpgsql; returns a string: the JSON of its body, or an error message. */
  _wasm_parse_plpgsql(query: number): number;
  _wasm_free_string(ptr: number): void;
}

let parser: ParserModule | undefined;
let loaded: Promise<void> | undefined;

/** How deep a statement's parse tree may nest. The analysis walks parse trees recursively and
 *  runs out of stack somewhere past 5,000 levels; real migrations stay under 50. */
export const MAX_TREE_DEPTH = 1000;

/**
 * Loads the WASM parser once; every parse function below needs it. Not at import: a run the
 * lint cache answers never compiles it. The emscripten module is used directly rather than
 * libpg-query's wrapper, whose string copies in and out of WASM run a JavaScript loop per
 * byte: the text's UTF-8 bytes are copied in at once, and the JSON tree decoded at once. The
 * WASM is compiled here and handed to emscripten, whose own loading costs 2% more of a lint of
 * one file (callgrind). A lint's worker thread (threads.ts) loads it too: V8 keeps one compiled
 * module per process for the same bytes (its native module cache), and with it the code compiled
 * so far.
 */
export function loadParser(): Promise<void> {
  loaded ??= (async () => {
    const create = createRequire(import.meta.url)('libpg-query/wasm/libpg-query.js') as (
      options: object,
    ) => Promise<ParserModule>;
    const wasm = await WebAssembly.compile(
      readFileSync(createRequire(import.meta.url).resolve('libpg-query/wasm/libpg-query.wasm')),
    );
    parser = await new Promise<ParserModule>((resolve, reject) => {
      create({
        // emscripten's hook for a module compiled by its caller
        instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
          WebAssembly.instantiate(wasm, imports).then(done, reject);
          return {};
        },
      }).then(resolve, reject);
    });
  })();
  return loaded;
}

const utf8 = new TextDecoder();

/** The NUL-terminated UTF-8 string at `ptr` in WASM memory. */
function cString(heap: Uint8Array, ptr: number): string {
  // a Buffer's indexOf finds the NUL with memchr, a Uint8Array's compares byte by byte
  const buffer = Buffer.from(heap.buffer, heap.byteOffset, heap.length);
  const end = buffer.indexOf(0, ptr);
  const bytes = heap.subarray(ptr, end);
  // ASCII (the parse tree of most files) reads the same as latin1, which is copied as it is:
  // decoding UTF-8 looks at every byte once more
  return isAscii(bytes) ? buffer.toString('latin1', ptr, end) : utf8.decode(bytes);
}

/** A parse failure as PostgreSQL reports it: the message, and the 0-based character position of the error. */
class ParseError extends Error {
  constructor(
    message: string,
    readonly cursorPosition?: number,
  ) {
    super(message);
  }
}

/** Calls a parser entry point with `bytes` as a NUL-terminated string in WASM memory, freed after. */
function withQuery<T>(bytes: Uint8Array, call: (m: ParserModule, query: number) => T): T {
  const m = parser;
  if (!m) throw new Error('the SQL parser is not loaded: await loadParser() first');
  const query = m._malloc(bytes.length + 1);
  try {
    m.HEAPU8.set(bytes, query);
    m.HEAPU8[query + bytes.length] = 0;
    return call(m, query);
  } finally {
    m._free(query);
  }
}

/** Runs the parser on UTF-8 SQL (no NUL byte): its result in WASM memory, for `readTree`, which frees it; 0 when the
 *  parser could not allocate it. */
function rawParse(bytes: Uint8Array): number {
  return withQuery(bytes, (m, query) => m._wasm_parse_query_raw(query));
}

/** The JSON tree of a parser's result (`rawParse`), which it frees; throws a ParseError when the SQL does not parse. */
function readTree(result: number): unknown {
  const m = parser!;
  if (!result) throw new ParseError('Failed to parse query: memory allocation failed');
  try {
    const heap = m.HEAPU8;
    const words = m.HEAPU32;
    const tree = words[result >> 2]!;
    const error = words[(result + 8) >> 2]!;
    if (error) {
      // PgQueryError: message, funcname, filename, lineno, cursorpos (1-based; 0 when unknown)
      const message = words[error >> 2]!;
      const cursor = words[(error + 16) >> 2]! | 0;
      throw new ParseError(message ? cString(heap, message) : 'Unknown error', cursor > 0 ? cursor - 1 : 0);
    }
    if (!tree) throw new ParseError('No parse tree generated');
    return JSON.parse(cString(heap, tree));
  } finally {
    m._wasm_free_parse_result(result);
  }
}

/** Maps UTF-8 byte offsets of a text to 1-based line and character column. */
export class LineIndex {
  /** The text's UTF-8 bytes. */
  readonly bytes: Buffer;
  /** Every character is one byte: offsets into the text are byte offsets. */
  private readonly ascii: boolean;
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    bytes: Buffer = Buffer.from(text, 'utf8'),
  ) {
    this.bytes = bytes;
    this.ascii = this.bytes.length === text.length;
    const starts = this.lineStarts; // read once, not per line: each `this.` is a property load in baseline code
    // in ASCII text a character is a byte: the string's own search, which is cheaper per call than a Buffer's
    if (this.ascii) for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    else for (let i = this.bytes.indexOf(0x0a); i !== -1; i = this.bytes.indexOf(0x0a, i + 1)) starts.push(i + 1);
  }

  /** The position asked for last (line 1, column 1 at first). Lookups come mostly in text order,
   *  so the last one is near: the line is looked for from its line, and on a very long line (a
   *  whole migration on one line) columns are counted from it, where counting from the line's
   *  start for each of thousands of statements would be quadratic. */
  private lastLine = 1;
  private lastOffset = 0;
  private lastColumn = 1;

  /** Line and column of a byte offset (clamped to the text). */
  position(byteOffset: number): { line: number; column: number } {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    // read once, not in the loops: each `this.` is a property load in baseline code
    const starts = this.lineStarts;
    // The line of the last lookup, or one a few lines after it, is most often the one (the same
    // line for half the lookups of a lint): steps of 1, 2, 4 … lines from it find the range to
    // search, rather than halving the whole file's lines each time.
    let lo = starts[this.lastLine - 1]! <= offset ? this.lastLine - 1 : 0;
    let hi = starts.length - 1;
    for (let step = 1; lo + step <= hi; step *= 2) {
      if (starts[lo + step]! > offset) {
        hi = lo + step - 1;
        break;
      }
      lo += step;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const line = lo + 1;
    const lineStart = starts[lo]!;
    if (this.ascii) {
      this.lastLine = line;
      return { line, column: offset - lineStart + 1 };
    }
    const near = this.lastLine === line && Math.abs(offset - this.lastOffset) < offset - lineStart;
    let from = near ? this.lastOffset : lineStart;
    let column = near ? this.lastColumn : 1;
    // count every byte that starts a code point (not a 10xxxxxx continuation byte)
    for (; from < offset; from++) if ((this.bytes[from]! & 0xc0) !== 0x80) column++;
    for (let i = offset; i < from; i++) if ((this.bytes[i]! & 0xc0) !== 0x80) column--;
    this.lastLine = line;
    this.lastOffset = offset;
    this.lastColumn = column;
    return { line, column };
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
    return this.ascii ? this.text.slice(start, end) : this.bytes.subarray(start, end).toString('utf8');
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

/** The parse trees of the statements of SQL text (call `loadParser()` once before); throws when it does not parse. */
export function parseStatementNodes(sql: string): PgNode[] {
  const result = readTree(rawParse(new TextEncoder().encode(sql))) as { stmts?: Array<{ stmt?: PgNode }> };
  return (result.stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : []));
}

/**
 * The SQL statements a PL/pgSQL body runs as written (not those it builds as strings for
 * EXECUTE), wherever they stand: in a branch, a loop or a block with an exception handler.
 * Empty when the body does not parse. Call `loadParser()` once before.
 */
export function plpgsqlStatements(body: string): string[] {
  const tag = '$pgphase_body$';
  if (body.includes(tag)) return [];
  const bytes = new TextEncoder().encode(
    `CREATE FUNCTION pgphase_body() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`,
  );
  const text = withQuery(bytes, (m, query) => {
    const result = m._wasm_parse_plpgsql(query);
    if (!result) return '';
    try {
      return cString(m.HEAPU8, result);
    } finally {
      m._wasm_free_string(result);
    }
  });
  if (!text.startsWith('{')) return [];
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (const item of n) walk(item);
    else if (n && typeof n === 'object') {
      for (const key in n) {
        const value = (n as PgNode)[key];
        if (key === 'PLpgSQL_stmt_execsql' && typeof value?.sqlstmt?.PLpgSQL_expr?.query === 'string')
          out.push(value.sqlstmt.PLpgSQL_expr.query);
        else walk(value);
      }
    }
  };
  walk(JSON.parse(text));
  return out;
}

/** A file's text as it is parsed (without a byte order mark), its UTF-8 bytes, and what the parser
 *  made of them: its result (`rawParse`), not yet read, or what it threw (a statement nested deeper
 *  than its stack); or the offset of a NUL byte, for a text it was not given. */
interface Parsing {
  text: string;
  bytes: Buffer;
  result?: number;
  error?: unknown;
  nul?: number;
}

function parsing(file: string): Parsing {
  // A byte order mark is not SQL (PostgreSQL rejects it), but editors on Windows write one and
  // psql and Flyway skip it; positions are counted without it, as editors show the file.
  const text = file.charCodeAt(0) === 0xfeff ? file.slice(1) : file;
  const bytes = Buffer.from(text, 'utf8');
  // The parser reads the text as a C string, so it would silently stop at a NUL byte (sourceOf reports it).
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { text, bytes, nul };
  try {
    return { text, bytes, result: rawParse(bytes) };
  } catch (error) {
    return { text, bytes, error };
  }
}

/**
 * Parses one file. Call `loadParser()` once before. Never throws for bad SQL:
 * a parse failure becomes `syntaxError` at the parser's cursor position, a NUL byte
 * at the byte, a statement deeper than MAX_TREE_DEPTH at the statement.
 */
export function parseSource(path: string, file: string): SourceFile {
  return sourceOf(path, parsing(file));
}

/** How much SQL the parser runs through ahead of the files' analysis, in bytes. Between files the
 *  analysis evicts the parser's code and tables from the CPU's caches; parsed one after the other,
 *  files take it a quarter less time (a lint of bench/'s 2,084 generated files: 106 → 80 ms in the
 *  parser; of the 19 real histories 101 → 84 ms). Its results wait in WASM memory, as JSON text,
 *  which the JavaScript heap does not hold until each file's turn. Batches of 64 KB to 1 MB, and
 *  a whole set at once, took the same time. */
const PARSE_AHEAD = 256 * 1024;

/** The files parsed as `parseSource` does, one when asked for: when none is left parsed, the
 *  parser runs through the next PARSE_AHEAD of SQL (at least one file) at once. Results not asked
 *  for are freed when the caller stops. */
export function* parseSources(files: Iterable<{ path: string; text: string }>): Generator<SourceFile, void, undefined> {
  const pending = files[Symbol.iterator]();
  const ahead: { path: string; parsing: Parsing }[] = [];
  try {
    for (;;) {
      if (ahead.length === 0)
        for (let size = 0; size < PARSE_AHEAD; ) {
          const next = pending.next();
          if (next.done) break;
          const p = parsing(next.value.text);
          size += p.bytes.length;
          ahead.push({ path: next.value.path, parsing: p });
        }
      const first = ahead.shift();
      if (!first) return;
      yield sourceOf(first.path, first.parsing);
    }
  } finally {
    for (const { parsing } of ahead) if (parsing.result) parser!._wasm_free_parse_result(parsing.result);
    pending.return?.();
  }
}

/** The file a parsing is of, its result read (and freed). */
function sourceOf(path: string, { text, bytes, result, error: thrown, nul }: Parsing): SourceFile {
  let tree: unknown;
  let error = thrown;
  // read first, so that the result is freed whatever follows
  if (result !== undefined) {
    try {
      tree = readTree(result);
    } catch (e) {
      error = e;
    }
  }
  const lines = new LineIndex(text, bytes);
  const lexed = lex(lines.bytes, true);
  const comments: Comment[] = [];
  const commentSpans = lexed.comments;
  for (let k = 0; k < commentSpans.length; k += 2) {
    const start = commentSpans[k]!;
    const end = commentSpans[k + 1]!;
    comments.push({ text: lines.slice(start, end), start, end, location: lines.span(start, end) });
  }
  const identifiers: Identifier[] = lexed.longIdentifiers.map((id) => ({
    name: identifierName(lines.bytes, id),
    start: id.start,
    end: id.end,
    location: lines.span(id.start, id.end),
  }));
  const code = lexed.code;
  const failed = (message: string, at: number): SourceFile => {
    return {
      path,
      text,
      statements: [],
      comments,
      identifiers,
      lines,
      syntaxError: { message, location: lines.span(at, at) },
    };
  };
  // PostgreSQL refuses the NUL byte, which the parser did not see (parsing())
  if (nul !== undefined) return failed('invalid byte sequence for encoding "UTF8": 0x00', nul);
  // only comments, semicolons and white space: the parser calls that an empty query, a migration tool runs nothing
  if (code.length === 0 && !lexed.unterminated) return { path, text, statements: [], comments, identifiers, lines };
  if (error !== undefined) {
    // cursorPosition counts characters (0-based), as PostgreSQL's error positions do
    const cursor = error instanceof ParseError ? error.cursorPosition : undefined;
    const at = cursor === undefined ? lines.bytes.length : lines.byteOffsetOfCodePoint(cursor);
    return failed((error as Error).message || 'syntax error', at);
  }
  const statements: Statement[] = [];
  let next = 0;
  const stmts = (tree as { stmts?: Array<{ stmt?: PgNode; stmt_location?: number; stmt_len?: number }> }).stmts ?? [];
  for (let i = 0; i < stmts.length; i++) {
    const raw = stmts[i]!;
    if (!raw.stmt) continue;
    // The parser omits stmt_location for a statement at offset 0 and stmt_len for
    // the last statement (which then runs to the end of the text). Its span may
    // include leading comments and white space: trim to the statement's tokens.
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : lines.bytes.length;
    // code holds [start, end] pairs of runs of code between comments and semicolons (see lexer.ts)
    while (next < code.length && code[next]! < from) next += 2;
    let last = next;
    while (last < code.length && code[last + 1]! <= to) last += 2;
    const start = next < code.length ? code[next]! : from;
    const end = last > next ? code[last - 1]! : to;
    next = last;
    // A tree gains at most about 1.5 levels per byte of text (nested array brackets), so only a long statement can be too deep.
    if (to - from > MAX_TREE_DEPTH / 2 && deeperThan(raw.stmt, MAX_TREE_DEPTH)) {
      return failed(
        `statement nested too deeply to analyse: its parse tree is over ${MAX_TREE_DEPTH} levels deep`,
        start,
      );
    }
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

/** Whether a parse tree nests objects and arrays deeper than `limit`. Recursive, but never more
 *  than `limit` calls deep, unlike the walks it protects. */
function deeperThan(node: Record<string, unknown> | unknown[], limit: number): boolean {
  if (limit === 0) return true;
  // an array by index: `in` would make a string key of each index and look the item up by it
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value = node[i];
      if (value !== null && typeof value === 'object' && deeperThan(value as Record<string, unknown>, limit - 1))
        return true;
    }
    return false;
  }
  // plain objects from JSON: `in` sees exactly their own keys, without a copy of the values
  for (const key in node) {
    const value = node[key];
    if (value !== null && typeof value === 'object' && deeperThan(value as Record<string, unknown>, limit - 1))
      return true;
  }
  return false;
}

/** The span of the identifier that starts at byte `offset`: a quoted name to its closing quote, else a plain word. */
export function nameSpan(source: SourceFile, offset: number): Location {
  const bytes = source.lines.bytes;
  let end = offset;
  if (bytes[offset] === 0x22) {
    end++;
    while (end < bytes.length && !(bytes[end] === 0x22 && bytes[end + 1] !== 0x22)) end += bytes[end] === 0x22 ? 2 : 1;
    end++;
  } else {
    // letters, digits, _ and $, and any byte of a multibyte character
    while (end < bytes.length && (/[A-Za-z0-9_$]/.test(String.fromCharCode(bytes[end]!)) || bytes[end]! >= 0x80)) end++;
  }
  return source.lines.span(offset, Math.min(end, bytes.length));
}
