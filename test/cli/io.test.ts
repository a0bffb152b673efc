// The CLI writes a long text (a lint's JSON report runs to megabytes) in pieces of at most 65,535
// characters, which Node encodes without counting their UTF-8 bytes first: the output is the
// text's UTF-8 all the same, a character cut by no piece.
import { describe, expect, it } from 'vitest';
import { writeText } from '../../src/cli/io.js';
import { runCli, tempTree } from '../helpers/cli.js';

const written = (text: string) => {
  const pieces: string[] = [];
  writeText({ write: (piece: string) => pieces.push(piece) }, text);
  return pieces;
};

describe('writeText', () => {
  it('writes a long text in pieces of at most 65,535 characters, none ending inside a surrogate pair', () => {
    const elephant = '🐘';
    for (const at of [65_533, 65_534, 65_535, 131_069, 131_070]) {
      const text = `${'a'.repeat(at)}${elephant}${'b'.repeat(200_000 - at)}…`;
      const pieces = written(text);
      expect(pieces.join('')).toBe(text);
      expect(Buffer.concat(pieces.map((piece) => Buffer.from(piece))).equals(Buffer.from(text))).toBe(true);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(65_535);
        expect(piece.length).toBeGreaterThan(0);
        const last = piece.charCodeAt(piece.length - 1);
        expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
      }
    }
  });

  it('writes a short text at once, and nothing of an empty one', () => {
    expect(written('SELECT 1;\n')).toEqual(['SELECT 1;\n']);
    expect(written('')).toEqual([]);
  });

  it('the CLI writes a report of many pieces whole, its characters beyond ASCII intact', () => {
    const files = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        `m/${String(i).padStart(4, '0')}_🐘_é.sql`,
        `ALTER TABLE "t…${i}" ADD COLUMN c int NOT NULL;\n`,
      ]),
    );
    const r = runCli(['lint', 'm', '--format', 'json'], { cwd: tempTree(files) });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(3 * 65_535);
    expect(r.stdout).not.toContain('\ufffd');
    const report = JSON.parse(r.stdout) as { files: { path: string; findings: { message: string }[] }[] };
    expect(report.files.map((f) => f.path)).toEqual(Object.keys(files));
    expect(report.files.every((f) => f.findings.some((x) => x.message.includes('t…')))).toBe(true);
  });
});
