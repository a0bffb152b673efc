// A small lexer over the UTF-8 bytes of SQL text that finds what parseSource needs besides
// the AST: comments, the spans of code between white space, comments and semicolons, and
// identifiers over 63 bytes. It follows PostgreSQL's scanner (scan.l) wherever these
// boundaries depend on it: strings and quoted identifiers are opaque, `--` and `/*` start a
// comment even inside an operator, block comments nest, and 'a'<newline>'b' is one string.
// Offsets are byte offsets, like the parser's.

/** Identifiers longer than this many bytes are truncated by PostgreSQL (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_BYTES = 63;

export interface Lexed {
  /** Start and end (exclusive) byte offsets of each comment, in pairs: [start0, end0, start1, end1, …]. */
  comments: number[];
  /** Runs of code tokens with nothing between them, in pairs like `comments`. A run ends at
   *  white space, a comment or a `;`, so the first and last token of a statement start and end runs.
   *  Lexed for statements, a run ends only at a comment or a `;`: it holds the white space between its tokens. */
  code: number[];
  /** Quoted and unquoted identifiers longer than MAX_IDENTIFIER_BYTES, as written. */
  longIdentifiers: Array<{ start: number; end: number; quoted: boolean }>;
  /** Set when a string, quoted identifier or comment is not terminated: the text cannot parse. */
  unterminated: boolean;
}

// character classes of scan.l, by byte
const SPACE = 1; // space: [ \t\n\r\f\v]
const IDENT_START = 2; // ident_start: [A-Za-z\200-\377_]
const IDENT_CONT = 4; // ident_cont: ident_start, digits and $
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]) CLASS[c] = SPACE;
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
  if (letter) CLASS[c] = IDENT_START | IDENT_CONT;
  if (c >= 0x30 && c <= 0x39) CLASS[c] = IDENT_CONT;
}
CLASS[0x24] = IDENT_CONT; // $

const QUOTE = 0x27; // '
const DQUOTE = 0x22; // "
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const AMPERSAND = 0x26;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

// The regular expressions below match the bytes read as a latin1 string: one character per
// byte, so their offsets are byte offsets. V8 compiles them to machine code, where a loop over
// the bytes in the baseline JavaScript the CLI runs (bin/pgphase.cjs) costs hundreds of
// instructions per byte.

/** Code tokens that need nothing but their end: each one ends where the loop in lex would end
 *  it. What they stop at (white space, `;`, a comment, `$`, a long identifier, a prefixed,
 *  continued or unterminated string or identifier) is left to that loop. */
const PLAIN_TOKENS = [
  // a keyword or identifier of at most 63 bytes, not a one-letter prefix of a string (E'…', U&'…')
  String.raw`[A-Za-z_\x80-\xff](?:[\w$\x80-\xff]{1,62}(?![\w$\x80-\xff])|(?![\w$\x80-\xff'&]))`,
  // a number: 1e5, 0x1f, 1_000 (and trailing junk, which fails to parse); not $, which may open a dollar quote
  String.raw`[0-9][\w\x80-\xff]*`,
  // a string no newline continues, ending at its last quote (not the first of a '')
  String.raw`'[^']*(?:''[^']*)*'(?!')(?![ \t\f\v]*[\n\r][ \t\n\r\f\v]*')`,
  '"(?:[^"]|""){0,63}"(?!")', // a quoted identifier of at most 63 bytes
  // an operator or punctuation character that does not start a comment
  String.raw`[^ \t\n\r\f\v;'"$\w\x80-\xff/-]|-(?!-)|/(?!\*)`,
];
const PLAIN = new RegExp(`(?:${PLAIN_TOKENS.join('|')})*`, 'y');
/** Plain tokens and the white space between them, for runs that white space does not end. */
const PLAIN_SPACED = new RegExp(`(?:${[...PLAIN_TOKENS, String.raw`[ \t\n\r\f\v]`].join('|')})*`, 'y');
/** White space and semicolons: what ends a run of code, besides comments. */
const GAP = /[ \t\n\r\f\v;]*/y;
const LINE_COMMENT_END = /[^\n\r]*/y;
const BLOCK_COMMENT_DELIMITER = /\/\*|\*\//g;

/**
 * Lexes UTF-8 SQL text. Lexed `forStatements`, runs of code end only at comments and
 * semicolons: enough to find where a statement's first and last token are, and found in one
 * regexp call per run instead of one per word.
 */
export function lex(bytes: Buffer, forStatements = false): Lexed {
  const n = bytes.length;
  const plain = forStatements ? PLAIN_SPACED : PLAIN;
  const text = bytes.toString('latin1');
  const comments: number[] = [];
  const code: number[] = [];
  const longIdentifiers: Lexed['longIdentifiers'] = [];
  let unterminated = false;
  /** Start of the current code run, or -1 between runs. */
  let run = -1;
  let i = 0;

  /** Ends the current run at `at`, before the white space a run lexed for statements may end with. */
  const endRun = (at: number) => {
    if (run >= 0) {
      let end = at;
      while (forStatements && CLASS[bytes[end - 1]!] === SPACE) end--;
      code.push(run, end);
    }
    run = -1;
  };

  /** Offset after a quoted string whose opening quote is at `from`; `escapes` for E'…'. */
  const stringEnd = (from: number, escapes: boolean): number => {
    let j = from + 1;
    for (;;) {
      if (j >= n) {
        unterminated = true;
        return n;
      }
      const c = bytes[j]!;
      if (c === BACKSLASH && escapes) j += 2;
      else if (c !== QUOTE) j++;
      else if (bytes[j + 1] === QUOTE) j += 2;
      else {
        // 'a'<newline>'b' is one string: white space holding a newline between the quotes
        const next = continuation(j + 1);
        if (next < 0) return j + 1;
        j = next + 1;
      }
    }
  };

  /** When a string continues after offset `from`, the offset of its next quote; else -1. PostgreSQL also
   *  lets `--` comments stand between the parts, libpg-query's scanner and parser do not. */
  const continuation = (from: number): number => {
    let j = from;
    let newline = false;
    while (j < n && CLASS[bytes[j]!] === SPACE) {
      if (bytes[j] === NEWLINE || bytes[j] === RETURN) newline = true;
      j++;
    }
    return newline && bytes[j] === QUOTE ? j : -1;
  };

  /** The tag length of a dollar quote opening at `from` (`$tag$`, `$$`), or -1 when none opens there. */
  const dollarTag = (from: number): number => {
    let j = from + 1;
    if (j < n && (CLASS[bytes[j]!]! & IDENT_START) !== 0) {
      j++;
      while (j < n && (CLASS[bytes[j]!]! & IDENT_CONT) !== 0 && bytes[j] !== DOLLAR) j++;
    }
    return j < n && bytes[j] === DOLLAR ? j - from + 1 : -1;
  };

  /** Offset after the closing delimiter of a dollar quote whose `tag` bytes open at `from`. */
  const dollarEnd = (from: number, tag: number): number => {
    const delimiter = bytes.subarray(from, from + tag);
    const close = bytes.indexOf(delimiter, from + tag);
    if (close < 0) {
      unterminated = true;
      return n;
    }
    return close + tag;
  };

  /** Offset after a block comment opening at `from`: comments nest. */
  const blockCommentEnd = (from: number): number => {
    let depth = 1;
    BLOCK_COMMENT_DELIMITER.lastIndex = from + 2;
    while (depth > 0) {
      const delimiter = BLOCK_COMMENT_DELIMITER.exec(text);
      if (!delimiter) {
        unterminated = true;
        return n;
      }
      depth += delimiter[0] === '/*' ? 1 : -1;
    }
    return BLOCK_COMMENT_DELIMITER.lastIndex;
  };

  while (i < n) {
    const c = bytes[i]!;
    // white space inside a run lexed for statements is left to the plain tokens, which go on over it
    if (c === SEMICOLON || (CLASS[c] === SPACE && (run < 0 || !forStatements))) {
      endRun(i);
      GAP.lastIndex = i + 1;
      GAP.test(text);
      i = GAP.lastIndex;
      continue;
    }
    if (c === DASH && bytes[i + 1] === DASH) {
      endRun(i);
      LINE_COMMENT_END.lastIndex = i + 2;
      LINE_COMMENT_END.test(text);
      comments.push(i, LINE_COMMENT_END.lastIndex);
      i = LINE_COMMENT_END.lastIndex;
      continue;
    }
    if (c === SLASH && bytes[i + 1] === STAR) {
      endRun(i);
      const end = blockCommentEnd(i);
      comments.push(i, end);
      i = end;
      continue;
    }
    if (run < 0) run = i;
    plain.lastIndex = i;
    plain.test(text);
    if (plain.lastIndex > i) {
      i = plain.lastIndex;
      continue;
    }
    if (CLASS[c]! & IDENT_START) {
      // an identifier over 63 bytes, or one letter before ' or &: a prefix that may open a string or identifier
      let j = i + 1;
      while (j < n && CLASS[bytes[j]!]! & IDENT_CONT) j++;
      const next = bytes[j];
      if (j === i + 1 && next === QUOTE) {
        i = stringEnd(j, c === 0x45 || c === 0x65); // E'…' takes backslash escapes; B'…', X'…', N'…' do not
      } else if (
        j === i + 1 &&
        (c === 0x55 || c === 0x75) &&
        next === AMPERSAND &&
        (bytes[j + 1] === QUOTE || bytes[j + 1] === DQUOTE)
      ) {
        // U&'…' is a plain string, U&"…" an identifier PostgreSQL decodes: not kept as written
        i = bytes[j + 1] === QUOTE ? stringEnd(j + 1, false) : quotedEnd(j + 1);
      } else {
        if (j - i > MAX_IDENTIFIER_BYTES) longIdentifiers.push({ start: i, end: j, quoted: false });
        i = j;
      }
    } else if (c === QUOTE) {
      i = stringEnd(i, false);
    } else if (c === DQUOTE) {
      const end = quotedEnd(i);
      // the name can only exceed the limit when the text between the quotes does; "" is one byte of it
      if (end - i - 2 > MAX_IDENTIFIER_BYTES && nameBytes(i + 1, end - 1) > MAX_IDENTIFIER_BYTES)
        longIdentifiers.push({ start: i, end, quoted: true });
      i = end;
    } else {
      // the plain tokens leave no other byte than $: a dollar quote, or $1 (a parameter) or a stray $,
      // where digits and letters after it are code either way
      const tag = dollarTag(i);
      if (tag > 0) i = dollarEnd(i, tag);
      else {
        i++;
        while (i < n && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
      }
    }
  }
  endRun(n);
  return { comments, code, longIdentifiers, unterminated };

  function nameBytes(from: number, to: number): number {
    let length = to - from;
    for (let j = from; j < to; j++) {
      if (bytes[j] === DQUOTE) {
        length--;
        j++;
      }
    }
    return length;
  }

  function quotedEnd(from: number): number {
    // a loop, not Buffer#indexOf: names are short, and each call of that checks its arguments at a cost
    for (let j = from + 1; j < n; j++) {
      if (bytes[j] !== DQUOTE) continue;
      if (bytes[j + 1] !== DQUOTE) return j + 1;
      j++;
    }
    unterminated = true;
    return n;
  }
}

/** The name an identifier as written means: a quoted one without its quotes, an unquoted one folded to
 *  lower case as PostgreSQL folds it in a UTF-8 database (ASCII letters only). */
export function unquotedName(text: string, quoted = text.startsWith('"')): string {
  return quoted ? text.slice(1, -1).replace(/""/g, '"') : text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The name of a long identifier the lexer found. */
export function identifierName(bytes: Buffer, id: { start: number; end: number; quoted: boolean }): string {
  return unquotedName(bytes.toString('utf8', id.start, id.end), id.quoted);
}
