import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { summarize } from '../../src/lint/result.js';
import { formatResult } from '../../src/report/index.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import type { Location } from '../../src/sql/source.js';
import {
  BROKEN_FILE,
  CLEAN,
  MIXED,
  RENAME_COLUMN,
  RENAME_FILE,
  RENAME_SQL,
  RENAME_STATEMENT,
  options,
} from './fixture.js';

const ANSI = /\u001b\[/;
/** A code frame line: gutter with or without a line number, then ` | `. */
const FRAME = /^ +\d* \| /;
const DOCS = 'https://github.com/pgphase/pgphase/blob/main/rules/';

function pretty(result = MIXED, color = false, sources?: Map<string, string>): string {
  return formatResult(result, 'pretty', options({ color, ...(sources ? { sources } : {}) }));
}

/** The pretty output of one finding of the first rule at `location` in a one-file result with `source`. */
function frameFor(source: string, location: Location): string[] {
  const file = { ...BROKEN_FILE, path: 'x.sql', findings: [{ ...BROKEN_FILE.findings[0]!, location }] };
  const out = pretty(summarize([file]), false, new Map([['x.sql', source]]));
  return out.split('\n').filter((l) => FRAME.test(l));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('pretty', () => {
  it('prints each finding with position, message, code frame, help, docs, and a summary', () => {
    expect(pretty()).toBe(
      [
        'migrations/0042_rename.sql (destructive)',
        '',
        '  migrations/0042_rename.sql:2:29  error  rename-column',
        '  Renaming "users"."名前": breaks 100% of reads, a | b',
        '  second line',
        `  2 | ${RENAME_SQL.split('\n')[1]}`,
        `    | ${' '.repeat(29)}${'^'.repeat(49)}`,
        '  help: Run `pgphase plan`: expand, backfill, contract',
        `  docs: ${DOCS}rename-column.md`,
        '',
        'db/2024,01:add index.sql (additive)',
        '',
        '  db/2024,01:add index.sql:1:1  warning  require-concurrent-index',
        '  CREATE INDEX without CONCURRENTLY blocks writes.',
        '  1 | CREATE INDEX i',
        '    | ^^^^^^^^^^^^^^',
        '  help: Use CREATE INDEX CONCURRENTLY',
        `  docs: ${DOCS}require-concurrent-index.md`,
        '',
        'migrations/0044_broken.sql (neutral)',
        '',
        '  migrations/0044_broken.sql:1:12  error  syntax-error',
        '  syntax error at end of input',
        '  help: Fix the SQL',
        `  docs: ${DOCS}syntax-error.md`,
        '',
        '✖ 3 problems (2 errors, 1 warning) in 5 files, 4 statements',
        '',
      ].join('\n'),
    );
  });

  it('puts the carets under a statement that follows an emoji, at the columns the parser reports', async () => {
    await loadParser();
    const parsed = parseSource(RENAME_FILE.path, RENAME_SQL);
    const location = parsed.statements[1]!.location;
    expect(location.column).toBe(RENAME_COLUMN);
    expect(parsed.statements[1]!.text).toBe(RENAME_STATEMENT);
    const [source, carets] = frameFor(RENAME_SQL, location);
    // the emoji takes two terminal cells, so ALTER starts in cell 30 (index 29) after the gutter
    const gutter = '  2 | '.length;
    const line = source!.slice(gutter);
    expect(Array.from(line.slice(0, line.indexOf('ALTER'))).length).toBe(28);
    expect(carets!.indexOf('^') - gutter).toBe(29);
    // 47 characters, two of them wide (名前)
    expect(carets!.slice(gutter).trim()).toBe('^'.repeat(Array.from(RENAME_STATEMENT).length + 2));
  });

  it('underlines to the end of the line when the span continues on later lines', () => {
    const [, carets] = frameFor('CREATE INDEX i\n  ON t (a);', { line: 1, column: 8, endLine: 2, endColumn: 11 });
    expect(carets).toBe(`    | ${' '.repeat(7)}${'^'.repeat(7)}`);
  });

  it('shows one caret just past the end for an empty span at the end of a line', () => {
    const [source, carets] = frameFor('SELECT 1 +\n', { line: 1, column: 11, endLine: 1, endColumn: 11 });
    expect(source).toBe('  1 | SELECT 1 +');
    expect(carets).toBe(`    | ${' '.repeat(10)}^`);
  });

  it('keeps tabs in the caret padding and ignores a CR line ending', () => {
    const [source, carets] = frameFor('\tDROP TABLE t;\r\n', { line: 1, column: 2, endLine: 1, endColumn: 6 });
    expect(source).toBe('  1 | \tDROP TABLE t;');
    expect(carets).toBe('    | \t^^^^');
  });

  it('cuts a long line to 160 characters around the span, marking the cuts', () => {
    const line = `${'x'.repeat(1000)}DROP TABLE t;${'y'.repeat(1000)}`;
    const [source, carets] = frameFor(line, { line: 1, column: 1001, endLine: 1, endColumn: 1013 });
    expect(source).toBe(`  1 | …${'x'.repeat(20)}DROP TABLE t;${'y'.repeat(127)}…`);
    expect(carets).toBe(`    |  ${' '.repeat(20)}${'^'.repeat(12)}`);
    // at the start or the end of the line, the frame is cut on one side only
    expect(frameFor(line, { line: 1, column: 1, endLine: 1, endColumn: 3 })).toEqual([
      `  1 | ${'x'.repeat(160)}…`,
      '    | ^^',
    ]);
    expect(frameFor(line, { line: 1, column: 2014, endLine: 1, endColumn: 2014 })).toEqual([
      `  1 | …${'y'.repeat(160)}`,
      `    |  ${' '.repeat(160)}^`,
    ]);
  });

  it('frames a line of printable ASCII as it frames the same line with one-cell characters beyond it', () => {
    // the ASCII line is sliced as it is, the other read a character at a time: é takes one cell as x does
    const ascii = `\tx${'x'.repeat(300)} DROP TABLE t; ${'y'.repeat(300)}`;
    const accented = ascii.replace(/x/g, 'é');
    const locations: Location[] = [
      { line: 1, column: 1, endLine: 1, endColumn: 1 },
      { line: 1, column: 2, endLine: 1, endColumn: 9 },
      { line: 1, column: 100, endLine: 1, endColumn: 90 },
      { line: 1, column: 304, endLine: 1, endColumn: 317 },
      { line: 1, column: 310, endLine: 2, endColumn: 1 },
      { line: 1, column: 700, endLine: 1, endColumn: 700 },
    ];
    for (const location of locations) {
      const frame = frameFor(ascii, location);
      expect(frame).toHaveLength(2);
      expect(frameFor(accented, location).map((l) => l.replace(/é/g, 'x'))).toEqual(frame);
    }
  });

  it('widens the gutter of the caret line with the line number', () => {
    const source = `${'\n'.repeat(11)}DROP TABLE t;`;
    const frame = frameFor(source, { line: 12, column: 1, endLine: 12, endColumn: 5 });
    expect(frame).toEqual(['  12 | DROP TABLE t;', '     | ^^^^']);
  });

  it('prints no code frame for a file whose source it was not given or a line past the end', () => {
    expect(
      pretty(MIXED, false, new Map())
        .split('\n')
        .filter((l) => FRAME.test(l)),
    ).toEqual([]);
    expect(frameFor('SELECT 1;', { line: 5, column: 1, endLine: 5, endColumn: 2 })).toEqual([]);
  });

  it('replaces control characters from SQL text so they cannot drive the terminal', () => {
    const file = {
      ...BROKEN_FILE,
      findings: [{ ...BROKEN_FILE.findings[0]!, message: 'column "a\u001b[2Jb" is gone' }],
    };
    const out = pretty(summarize([file]));
    expect(out).not.toMatch(ANSI);
    expect(out).toContain('column "a\uFFFD[2Jb" is gone');
  });

  it('has no ANSI codes without color, even when the environment forces colour', () => {
    vi.stubEnv('FORCE_COLOR', '3');
    expect(pretty(MIXED, false)).not.toMatch(ANSI);
  });

  it('colours with color:true, and the text without the codes is the plain report', () => {
    vi.stubEnv('NO_COLOR', '1');
    const colored = pretty(MIXED, true);
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\u001b[31merror\u001b[39m');
    expect(colored).toContain('\u001b[33mwarning\u001b[39m');
    expect(stripVTControlCharacters(colored)).toBe(pretty(MIXED, false));
  });

  it('says a clean result in one summary line', () => {
    expect(pretty(CLEAN)).toBe('✔ 2 files, 1 statement: no problems\n');
  });

  it('uses singular words for one of a kind', () => {
    const one = summarize([{ ...RENAME_FILE, statements: RENAME_FILE.statements.slice(1) }]);
    expect(pretty(one).trimEnd().split('\n').at(-1)).toBe('✖ 1 problem (1 error, 0 warnings) in 1 file, 1 statement');
  });

  it('does not need the rule registry', () => {
    expect(formatResult(MIXED, 'pretty', { ...options(), rules: [] })).toBe(pretty());
  });
});
