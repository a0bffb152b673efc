// The CLI writes its output (a lint's JSON report runs to megabytes, in pieces: a file's line
// each) as one buffer of UTF-8, each piece encoded into it in turn: the bytes are the joined
// text's UTF-8 all the same, a character cut by no piece.
import { describe, expect, it } from 'vitest';
import { writeText, type Text } from '../../src/cli/io.js';
import { runCli, tempTree } from '../helpers/cli.js';

const written = (text: Text) => {
  const chunks: Uint8Array[] = [];
  writeText({ write: (chunk: Uint8Array) => chunks.push(Buffer.from(chunk)) }, text);
  return chunks;
};

describe('writeText', () => {
  it('writes a text, or its pieces one after another, as one buffer of their UTF-8', () => {
    // an astral character (a surrogate pair: 2 characters, 4 bytes), two-byte and three-byte
    // ones, and a lone surrogate, which UTF-8 writes as U+FFFD
    const pieces = ['a'.repeat(70_000), '🐘', 'é', '…'.repeat(30_000), '', '\ud800', 'b', '🐘🐘'];
    const text = pieces.join('');
    for (const given of [text, pieces]) {
      const chunks = written(given);
      expect(chunks).toHaveLength(1);
      expect(Buffer.from(chunks[0]!).equals(Buffer.from(text))).toBe(true);
    }
    expect(Buffer.from(written(['SELECT 1;', '\n'])[0]!).toString()).toBe('SELECT 1;\n');
  });

  it('writes nothing of an empty text', () => {
    expect(written('')).toEqual([]);
    expect(written([])).toEqual([]);
    expect(written(['', ''])).toEqual([]);
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
