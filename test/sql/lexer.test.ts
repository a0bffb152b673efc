// The JavaScript lexer against libpg-query's WASM scanner (PostgreSQL's own scan.l): the same
// comments, runs of code, long identifiers and statement spans, on hand-written edge cases,
// every SQL file of fixtures/ and the generated benchmark corpus.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { afterAll, describe, expect, it } from 'vitest';
import { lex, MAX_IDENTIFIER_BYTES } from '../../src/sql/lexer.js';
import { loadParser, parseSource } from '../../src/sql/source.js';

await Promise.all([loadParser(), loadModule()]);

interface Boundaries {
  comments: number[];
  code: number[];
  longIdentifiers: Array<{ start: number; end: number; quoted: boolean }>;
}

/** What the WASM scanner says, in the lexer's terms; undefined when it rejects the text. */
function scanner(text: string): Boundaries | undefined {
  let tokens: ReturnType<typeof scanSync>['tokens'];
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return undefined;
  }
  const out: Boundaries = { comments: [], code: [], longIdentifiers: [] };
  for (const t of tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') out.comments.push(t.start, t.end);
    else if (t.text !== ';') {
      // adjacent tokens form one run
      if (out.code.length > 0 && out.code[out.code.length - 1] === t.start) out.code[out.code.length - 1] = t.end;
      else out.code.push(t.start, t.end);
    }
    if (t.tokenName === 'IDENT') {
      const quoted = t.text.startsWith('"');
      const name = quoted ? t.text.slice(1, -1).replace(/""/g, '"') : t.text;
      if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES)
        out.longIdentifiers.push({ start: t.start, end: t.end, quoted });
    }
  }
  return out;
}

/** Statement spans and comments as parseSource computed them with the WASM scanner's tokens. */
function scannerSpans(text: string): { statements: number[][]; comments: number[] } | undefined {
  let tokens: ReturnType<typeof scanSync>['tokens'];
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return undefined;
  }
  const isComment = (t: { tokenName: string }) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT';
  const comments = tokens.filter(isComment).flatMap((t) => [t.start, t.end]);
  const code = tokens.filter((t) => !isComment(t) && t.text !== ';');
  if (code.length === 0) return { statements: [], comments };
  let stmts: Array<{ stmt?: unknown; stmt_location?: number; stmt_len?: number }>;
  try {
    stmts = (parseSync(text) as { stmts?: typeof stmts }).stmts ?? [];
  } catch {
    return undefined;
  }
  const bytes = Buffer.byteLength(text);
  const statements: number[][] = [];
  let next = 0;
  for (const raw of stmts) {
    if (!raw.stmt) continue;
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : bytes;
    while (next < code.length && code[next]!.start < from) next++;
    let last = next;
    while (last < code.length && code[last]!.end <= to) last++;
    statements.push([code[next]?.start ?? from, last > next ? code[last - 1]!.end : to]);
    next = last;
  }
  return { statements, comments };
}

function lexed(text: string): Boundaries {
  const { comments, code, longIdentifiers } = lex(Buffer.from(text, 'utf8'));
  return { comments, code, longIdentifiers };
}

function expectSameAsScanner(text: string): void {
  const expected = scanner(text);
  if (expected === undefined) throw new Error(`the WASM scanner rejects ${JSON.stringify(text.slice(0, 80))}`);
  expect(lexed(text)).toEqual(expected);
  // lexed for statements, the runs are the scanner's joined across white space
  const bytes = Buffer.from(text, 'utf8');
  const joined: number[] = [];
  for (let k = 0; k < expected.code.length; k += 2) {
    const between = bytes.toString('latin1', joined.at(-1), expected.code[k]);
    if (joined.length > 0 && /^[ \t\n\r\f\v]*$/.test(between)) joined[joined.length - 1] = expected.code[k + 1]!;
    else joined.push(expected.code[k]!, expected.code[k + 1]!);
  }
  expect(lex(bytes, true).code).toEqual(joined);
  const spans = scannerSpans(text);
  if (spans) {
    const source = parseSource('m.sql', text);
    expect({
      statements: source.statements.map((s) => [s.start, s.end]),
      comments: source.comments.flatMap((c) => [c.start, c.end]),
    }).toEqual(spans);
  }
}

const long = 'x'.repeat(64);

describe('lex', () => {
  it.each([
    ['an operator running into a comment', 'SELECT a-->b\n;'],
    ['a comment after an operator', 'SELECT 1 </* c */ 2; SELECT 2*/**/3'],
    ['nested block comments', 'SELECT /* a /* b */ c */ 1; /*/ still a comment */ SELECT 2; /**/'],
    ['stars and slashes in a block comment', 'SELECT /* *** / ** /*/ */ */ 1;'],
    ['a line comment ended by CR LF', 'SELECT 1 -- c\r\n;\rSELECT 2 -- end'],
    ['an escaped quote in an E string', "SELECT E'\\'';  SELECT e'\\\\'; SELECT E'a''b\\\\\\';x';"],
    ['a backslash in a standard string', "SELECT '\\'; SELECT 'a''b';"],
    ['a prefix that is not E', "SELECT xe'\\'; SELECT t.e'\\'';"],
    ['a semicolon in a dollar quote', 'SELECT $$;$$; SELECT 1'],
    ['a different tag inside a dollar quote', 'SELECT $a$ $b$ ; $ab$ $$ $a$; SELECT $ab$ $b$ab$;'],
    ['dollars in identifiers, parameters and after a number', 'SELECT foo$bar$, $1, $2::int, 1$$x$$ FROM t;'],
    ['a Unicode-escaped identifier and string', 'SELECT U&"x" , u&\'d\\0061t\' UESCAPE \'!\' ; SELECT U&"a""b";'],
    ['bit and hex strings', "SELECT B'01', X'1F', N'x', b'0''1';"],
    ['a string continued over a newline', "SELECT 'a'\n'b' ; SELECT 'a' \r\n\t 'b', E'a'\n'\\'';"],
    // PostgreSQL continues a string over a -- comment too; libpg-query does not, and fails to parse it
    ['a comment between strings', "SELECT 'a'  -- c\n  -- d\n 'b', 'c' 'd';"],
    ['quotes that do not continue a string', "SELECT 'a' 'b'; SELECT 'a' /* c */\n'b';"],
    ['quoted identifiers with quotes and semicolons', 'SELECT "a""b;", "--x", "/*" FROM "t;";'],
    ['numbers', 'SELECT 1e5, 1.5e-3, .5, 0x1F, 1_000, 1..2 FROM t;'],
    ['multibyte text and emoji before statements', '-- migración 🎉\n/* ☃ */ SELECT \'ñ🎉;\', "é"; SELECT é🎉x;'],
    ['a vertical tab and a form feed', 'SELECT 1\v;\fSELECT 2\v'],
    ['semicolons only', ';;\n;'],
    ['an empty statement between semicolons', 'SELECT 1;;SELECT 2;'],
    [
      'a rule with several actions',
      'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));',
    ],
    [
      'a function body in a dollar quote',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n  -- not a comment\n  RETURN 1; /* nor this */\nEND\n$body$;',
    ],
    [
      'operators holding dashes and slashes',
      "SELECT 1-2, 4/2, a-/**/b, c/-1, d - -1, '{}'::jsonb #- '{a}', e/-- c\n2;",
    ],
    ['one-letter names before an ampersand or a quote', "SELECT a&b, u&1, t.e, x'1F', y'2', ab'3', é'4' FROM t;"],
    ['strings next to strings, names and operators', "SELECT 'a'''||'b', 'c''''d', '''', 'e'::text, ('f')'g';"],
    ['dollars after names, numbers and parameters', 'SELECT a$1$, é$x, $1$$ x $$, 2$a$ b $a$, $3, $$$$ FROM t;'],
    [
      'names of 63 and 64 bytes next to operators',
      `SELECT ${'a'.repeat(63)}+${'b'.repeat(64)}*"${'c'.repeat(61)}"""::t, "${'d'.repeat(64)}".x FROM t;`,
    ],
    ['long identifiers', `CREATE TABLE ${long} ("${long}" int, "${'y'.repeat(62)}""" int, ${'Ab'.repeat(32)}é int);`],
    ['an identifier of 63 bytes', `CREATE TABLE ${'x'.repeat(63)} ("${'é'.repeat(31)}x" int);`],
  ])('%s', (_name, sql) => {
    expectSameAsScanner(sql);
  });

  it('ends runs lexed for statements at comments and semicolons only', () => {
    const sql = " SELECT 1 /* c */ + 2 ;\n SELECT $$ a; b $$ ,\t'x;y'  -- end\n; CREATE TABLE t ( a int )\n";
    expect(lex(Buffer.from(sql), true).code).toEqual([1, 9, 18, 21, 25, 50, 61, 85]);
  });

  it('marks unterminated strings, identifiers and comments', () => {
    for (const sql of [
      "SELECT 'a''",
      'SELECT "a""',
      "SELECT 'a'\n'b",
      "SELECT 'abc",
      "SELECT E'abc\\'",
      'SELECT "abc',
      'SELECT $a$ abc $b$',
      '/* a /* b */ c',
      'SELECT 1 /*',
    ]) {
      expect(lex(Buffer.from(sql)).unterminated, sql).toBe(true);
      expect(scanner(sql), sql).toBeUndefined();
    }
    expect(lex(Buffer.from("SELECT 'a' -- '")).unterminated).toBe(false);
  });
});

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sqlFiles(path);
    return name.endsWith('.sql') ? [path] : [];
  });
}

describe('lex agrees with the WASM scanner on real files', () => {
  it('on every SQL file of fixtures/', () => {
    const files = sqlFiles('fixtures');
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (scanner(text) === undefined) continue; // a fixture of a syntax error
      expect({ file, ...lexed(text) }).toEqual({ file, ...scanner(text) });
      const spans = scannerSpans(text);
      if (spans)
        expect({ file, statements: parseSource(file, text).statements.map((s) => [s.start, s.end]) }).toEqual({
          file,
          statements: spans.statements,
        });
    }
  });

  const corpus = mkdtempSync(join(tmpdir(), 'pgphase-corpus-'));
  afterAll(() => rmSync(corpus, { recursive: true, force: true }));

  it('on every file of the benchmark corpus', async () => {
    // a non-literal specifier: bench/ is plain JavaScript without type declarations
    const module = '../../bench/corpus.mjs';
    const { writeCorpus } = (await import(module)) as { writeCorpus(root: string): { files: number } };
    const { files: count } = writeCorpus(corpus);
    const files = sqlFiles(corpus);
    expect(files.length).toBe(count);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, ...lexed(text) }).toEqual({ file, ...scanner(text) });
      const spans = scannerSpans(text)!;
      const source = parseSource(file, text);
      expect({
        file,
        statements: source.statements.map((s) => [s.start, s.end]),
        comments: source.comments.flatMap((c) => [c.start, c.end]),
      }).toEqual({ file, ...spans });
    }
  });
});
