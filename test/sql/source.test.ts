import { describe, expect, it } from 'vitest';
import {
  LineIndex,
  loadParser,
  MAX_TREE_DEPTH,
  nameSpan,
  parseSource,
  parseSources,
  parseStatementNodes,
  type SourceFile,
} from '../../src/sql/source.js';

await loadParser();

describe('parseSource', () => {
  it('reports line and column in characters after multibyte text', () => {
    const sql = '-- migración 🎉 für Ünïcode\nSELECT 1;  /* ☃ */ \n  ALTER TABLE users DROP COLUMN name;\n';
    const source = parseSource('m.sql', sql);
    expect(source.syntaxError).toBeUndefined();
    expect(source.statements.map((s) => s.location)).toEqual([
      { line: 2, column: 1, endLine: 2, endColumn: 9 },
      { line: 3, column: 3, endLine: 3, endColumn: 37 },
    ]);
    expect(source.statements[1]!.text).toBe('ALTER TABLE users DROP COLUMN name');
  });

  it('handles the omitted offset of the first and the omitted length of the last statement', () => {
    const source = parseSource('m.sql', 'SELECT 1;\nSELECT 2');
    expect(source.statements.map((s) => [s.start, s.end, s.text])).toEqual([
      [0, 8, 'SELECT 1'],
      [10, 18, 'SELECT 2'],
    ]);
  });

  it('trims leading comments from a statement span', () => {
    const source = parseSource('m.sql', 'SELECT 1;\n-- next\n/* block */\nSELECT 2;');
    expect(source.statements[1]!.location.line).toBe(4);
    expect(source.comments.map((c) => c.location.line)).toEqual([2, 3]);
  });

  it('places a syntax error at the failing token, after multibyte text', () => {
    const source = parseSource('m.sql', '-- ñ 🎉\nSELECT 1;\nALTER TABLE x ADD COLUM y int;\n');
    expect(source.statements).toEqual([]);
    expect(source.syntaxError?.message).toMatch(/syntax error at or near "int"/);
    expect(source.syntaxError?.location).toMatchObject({ line: 3, column: 27 });
  });

  it('skips a byte order mark and counts positions without it, as an editor shows the file', () => {
    const source = parseSource('m.sql', '\uFEFFALTER TABLE users DROP COLUMN name;\nALTER TABLE x ADD COLUMN y int;');
    expect(source.syntaxError).toBeUndefined();
    expect(source.statements.map((s) => [s.text, s.location.line, s.location.column])).toEqual([
      ['ALTER TABLE users DROP COLUMN name', 1, 1],
      ['ALTER TABLE x ADD COLUMN y int', 2, 1],
    ]);
    // only at the start: elsewhere it is a character PostgreSQL rejects
    expect(parseSource('m.sql', 'SELECT 1;\n\uFEFFSELECT 2;').syntaxError?.location).toMatchObject({
      line: 2,
      column: 1,
    });
  });

  it('reports an unterminated string at the end of input', () => {
    const source = parseSource('m.sql', "SELECT 'abc");
    expect(source.syntaxError).toBeDefined();
    expect(source.syntaxError!.location.line).toBe(1);
  });

  it('does not split at semicolons or comments inside strings, identifiers and dollar quotes', () => {
    const sql =
      "SELECT ';--', \"a;b\", $$ ; /* $$, E'\\';';\nCREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql; -- done\n";
    const source = parseSource('m.sql', sql);
    expect(source.statements.map((s) => s.text)).toEqual([
      "SELECT ';--', \"a;b\", $$ ; /* $$, E'\\';'",
      'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql',
    ]);
    expect(source.comments.map((c) => c.text)).toEqual(['-- done']);
  });

  it('keeps only identifiers over 63 bytes, unquoted ones folded to lower case', () => {
    const sql = `CREATE TABLE T${'A'.repeat(63)} ("${'B'.repeat(62)}""" int, "${'C'.repeat(63)}" int, ${'d'.repeat(63)} int);`;
    expect(parseSource('m.sql', sql).identifiers.map((id) => [id.name, id.location.column])).toEqual([
      [`t${'a'.repeat(63)}`, 14],
    ]);
  });

  it('reports an unterminated comment as a syntax error', () => {
    const source = parseSource('m.sql', 'SELECT 1;\n/* not closed');
    expect(source.statements).toEqual([]);
    expect(source.syntaxError?.message).toMatch(/unterminated/);
  });

  it('parses a file of comments and semicolons into no statements', () => {
    const source = parseSource('m.sql', '-- only\n;\n/* comments */;');
    expect(source.statements).toEqual([]);
    expect(source.syntaxError).toBeUndefined();
    expect(source.comments.map((c) => c.location.line)).toEqual([1, 3]);
  });

  it('parses an empty file into no statements', () => {
    const source = parseSource('m.sql', '');
    expect(source.statements).toEqual([]);
    expect(source.syntaxError).toBeUndefined();
  });

  it('reports a NUL byte as a syntax error at the byte, instead of ignoring what follows it', () => {
    for (const sql of ['SELECT 1;\n\u0000DROP TABLE users;', '-- note \u0000\nDROP TABLE users;']) {
      const source = parseSource('m.sql', sql);
      expect(source.statements).toEqual([]);
      expect(source.syntaxError?.message).toBe('invalid byte sequence for encoding "UTF8": 0x00');
    }
    expect(parseSource('m.sql', 'SELECT 1;\n  \u0000DROP TABLE users;').syntaxError?.location).toEqual({
      line: 2,
      column: 3,
      endLine: 2,
      endColumn: 3,
    });
  });

  it('reports a statement nested deeper than the analysis can walk as a syntax error at the statement', () => {
    const deep = (n: number) => `SELECT 1;\nUPDATE t SET c = ${'coalesce('.repeat(n)}c${')'.repeat(n)};`;
    expect(parseSource('m.sql', deep(300)).statements).toHaveLength(2);
    const source = parseSource('m.sql', deep(3000));
    expect(source.statements).toEqual([]);
    expect(source.syntaxError?.message).toMatch(/nested too deeply/);
    expect(source.syntaxError?.location).toMatchObject({ line: 2, column: 1 });
    // a chain of operators nests as deeply without any parenthesis
    expect(parseSource('m.sql', `SELECT ${Array(3000).fill('c').join(' + ')};`).syntaxError?.message).toMatch(
      /nested too deeply/,
    );
  });

  it('rejects exactly the statements whose tree is deeper than MAX_TREE_DEPTH', () => {
    const depth = (node: unknown): number =>
      node !== null && typeof node === 'object' ? 1 + Math.max(0, ...Object.values(node).map(depth)) : 0;
    const depths = [];
    // each + nests the tree two levels deeper: from just under the limit, to it, to just over it
    for (const n of [495, 496, 497]) {
      const sql = `SELECT ${Array(n).fill('c').join(' + ')};`;
      const treeDepth = depth(parseStatementNodes(sql)[0]);
      depths.push(treeDepth);
      expect(parseSource('m.sql', sql).syntaxError !== undefined, `depth ${treeDepth}`).toBe(
        treeDepth > MAX_TREE_DEPTH,
      );
    }
    expect(depths).toEqual([MAX_TREE_DEPTH - 2, MAX_TREE_DEPTH, MAX_TREE_DEPTH + 2]);
  });
});

describe('parseSources', () => {
  // what a caller reads of a parsed file
  const seen = (source: SourceFile) => ({
    path: source.path,
    text: source.text,
    statements: source.statements,
    comments: source.comments,
    identifiers: source.identifiers,
    syntaxError: source.syntaxError,
  });
  // ~100 KB of SQL: a few of them fill the parser's batch, so that files are parsed ahead across batches
  const big = (n: number) =>
    Array.from({ length: 1600 }, (_, i) => `ALTER TABLE t${n} ADD COLUMN "c${i}" text DEFAULT 'ü ${i}';`).join('\n');

  it('gives each file as parseSource does, across batches of files parsed ahead', () => {
    const texts = [
      big(1),
      'SELECT 1;\nALTER TABLE x ADD COLUM y int;',
      big(2),
      'SELECT 1;\0SELECT 2;',
      '\uFEFFALTER TABLE users DROP COLUMN name;',
      big(3),
      '-- only a comment\n;',
      '/* unterminated',
      big(4),
      '',
      `CREATE TABLE "${'l'.repeat(70)}" (id int);`,
      // deeper than the parser's own stack: it throws
      `SELECT ${'(SELECT '.repeat(3000)}1${')'.repeat(3000)};`,
      big(5),
    ];
    const files = texts.map((text, i) => ({ path: `${i}.sql`, text }));
    const parsed = [...parseSources(files)];
    expect(parsed.map(seen)).toEqual(files.map((f) => seen(parseSource(f.path, f.text))));
    // each case is what it stands for
    expect(parsed.map((s) => s.syntaxError?.message.slice(0, 22))).toEqual([
      undefined,
      'syntax error at or nea',
      undefined,
      'invalid byte sequence ',
      undefined,
      undefined,
      undefined,
      'unterminated /* commen',
      undefined,
      undefined,
      undefined,
      'Maximum call stack siz',
      undefined,
    ]);
    expect(parsed[0]!.statements).toHaveLength(1600);
  });

  it('parses a batch ahead only when the files parsed before are all read', () => {
    let pulled = 0;
    let closed = false;
    function* files() {
      try {
        for (let n = 0; n < 20; n++) {
          pulled++;
          yield { path: `${n}.sql`, text: big(n) };
        }
      } finally {
        closed = true;
      }
    }
    const sources = parseSources(files());
    // about 92 KB a file: the 256 KB of a batch take three
    expect(sources.next().value?.path).toBe('0.sql');
    expect(pulled).toBe(3);
    sources.next();
    sources.next();
    expect(pulled).toBe(3);
    expect(sources.next().value?.path).toBe('3.sql');
    expect(pulled).toBe(6);
    // a caller that stops ends the files' iterator too
    sources.return();
    expect(closed).toBe(true);
  });

  it('frees the results parsed ahead that a caller stopping early does not read', () => {
    // the first file small, read; the big ones after it parsed ahead in the same batch, not read
    const files = ['SELECT 1;', big(1), big(2), big(3), big(4)].map((text, i) => ({ path: `${i}.sql`, text }));
    const round = () => {
      for (const source of parseSources(files)) if (source.statements.length === 1) break;
    };
    // the parser's memory grows to hold one batch once
    for (let i = 0; i < 3; i++) round();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 40; i++) round();
    // each round would leave about 3 MB of JSON trees in the parser's memory (120 MB in all) were they not freed
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('LineIndex', () => {
  it('counts code points, not UTF-16 units or bytes', () => {
    const index = new LineIndex('a🎉b\nxé');
    expect(index.position(Buffer.byteLength('a🎉'))).toEqual({ line: 1, column: 3 });
    expect(index.position(Buffer.byteLength('a🎉b\nxé'))).toEqual({ line: 2, column: 3 });
    expect(index.lineText(2)).toBe('xé');
  });

  it('counts columns on a long line forwards and backwards from the position asked for before', () => {
    const chars = Array.from('é🎉a'.repeat(100_000));
    const index = new LineIndex(`x\n${chars.join('')}\n`);
    // the byte offset of the n-th character of the long line
    const at = (n: number) => 2 + Buffer.byteLength(chars.slice(0, n).join(''));
    for (const n of [0, 299_997, 3, 150_001, 150_001, 299_999, 5, 300_000])
      expect(index.position(at(n))).toEqual({ line: 2, column: n + 1 });
    expect(index.position(1)).toEqual({ line: 1, column: 2 });
  });
});

describe('nameSpan', () => {
  it('spans a plain name, a quoted one with doubled quotes, and multibyte names', () => {
    const text = 'CREATE TABLE t (naïve int, "a""b c" text);';
    const source = parseSource('m.sql', text);
    const at = (s: string) => Buffer.byteLength(text.slice(0, text.indexOf(s)));
    expect(nameSpan(source, at('naïve'))).toEqual({ line: 1, column: 17, endLine: 1, endColumn: 22 });
    expect(nameSpan(source, at('"a""b c"'))).toEqual({ line: 1, column: 28, endLine: 1, endColumn: 36 });
  });
});
