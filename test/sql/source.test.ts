import { describe, expect, it } from 'vitest';
import { LineIndex, loadParser, parseSource } from '../../src/sql/source.js';

await loadParser();

describe('parseSource', () => {
  it('reports line and column in characters after multibyte text', () => {
    const sql = "-- migración 🎉 für Ünïcode\nSELECT 1;  /* ☃ */ \n  ALTER TABLE users DROP COLUMN name;\n";
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
    const source = parseSource('m.sql', "-- ñ 🎉\nSELECT 1;\nALTER TABLE x ADD COLUM y int;\n");
    expect(source.statements).toEqual([]);
    expect(source.syntaxError?.message).toMatch(/syntax error at or near "int"/);
    expect(source.syntaxError?.location).toMatchObject({ line: 3, column: 27 });
  });

  it('reports an unterminated string at the end of input', () => {
    const source = parseSource('m.sql', "SELECT 'abc");
    expect(source.syntaxError).toBeDefined();
    expect(source.syntaxError!.location.line).toBe(1);
  });

  it('parses an empty file into no statements', () => {
    const source = parseSource('m.sql', '');
    expect(source.statements).toEqual([]);
    expect(source.syntaxError).toBeUndefined();
  });
});

describe('LineIndex', () => {
  it('counts code points, not UTF-16 units or bytes', () => {
    const index = new LineIndex('a🎉b\nxé');
    expect(index.position(Buffer.byteLength('a🎉'))).toEqual({ line: 1, column: 3 });
    expect(index.position(Buffer.byteLength('a🎉b\nxé'))).toEqual({ line: 2, column: 3 });
    expect(index.lineText(2)).toBe('xé');
  });
});
