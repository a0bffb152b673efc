// The process's output: a long text is written as the UTF-8 bytes writing the string gives.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { utf8Slices } from '../../src/cli/io.js';
import { BIN, tempTree } from '../helpers/cli.js';

function bytes(text: string, slice: number): Buffer {
  return Buffer.concat([...utf8Slices(text, slice)].map((s) => (typeof s === 'string' ? Buffer.from(s) : s)));
}

describe('utf8Slices', () => {
  const texts = {
    ascii: '{"rule":"drop-column","message":"Dropping `orders.note`"}\n'.repeat(40),
    'two-byte': 'No index on "orders"("user_id") … the check scans → "users"\n'.repeat(40),
    latin1: 'Column "café" on "größe"\n'.repeat(40),
    astral: 'a🐘b🐘🐘c'.repeat(30),
    'lone surrogates': `x\ud800y\udc00z${'\ud83d'}`.repeat(20),
    empty: '',
  };

  it('gives the bytes Buffer.from gives, whatever the slice length', () => {
    for (const [name, text] of Object.entries(texts))
      for (const slice of [2, 3, 7, 64, 1 << 20])
        expect([name, slice, bytes(text, slice).equals(Buffer.from(text))]).toEqual([name, slice, true]);
  });

  it('transcodes the slices, leaving as text only one that holds a lone surrogate', () => {
    const slices = [...utf8Slices(texts['two-byte'], 64)];
    expect(slices.length).toBe(Math.ceil(texts['two-byte'].length / 64));
    expect(slices.every((s) => s instanceof Uint8Array)).toBe(true);
    const mixed = [...utf8Slices(`${'a'.repeat(10)}\ud800${'b'.repeat(10)}`, 8)];
    expect(mixed.map((s) => typeof s)).toEqual(['object', 'string', 'object']);
  });

  it('never ends a slice between the halves of a surrogate pair', () => {
    const text = 'ab🐘cd'.repeat(10);
    for (const slice of [2, 3, 4, 5])
      for (const s of utf8Slices(text, slice)) expect(typeof s === 'string' ? s : '').toBe('');
  });
});

describe('a long report on stdout', () => {
  it('is the UTF-8 of its text, with the messages that hold `→` and an astral identifier', () => {
    const tables = Array.from({ length: 120 }, (_, i) => `"t${i}🐘"`);
    const root = tempTree({
      'm/001_init.sql': [
        'CREATE TABLE users (id bigint PRIMARY KEY);',
        ...tables.map((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, user_id bigint);`),
      ].join('\n'),
      'm/002_fk.sql': tables
        .map((t, i) => `ALTER TABLE ${t} ADD CONSTRAINT fk${i} FOREIGN KEY (user_id) REFERENCES users (id);`)
        .join('\n'),
    });
    const r = spawnSync(process.execPath, [BIN, 'lint', 'm', '--format', 'json'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    const text = r.stdout.toString('utf8');
    expect(text.length).toBeGreaterThan(1 << 16);
    const report = JSON.parse(text) as { files: { findings: { message: string }[] }[] };
    const messages = report.files.flatMap((f) => f.findings.map((x) => x.message));
    expect(messages).toContain(
      'The foreign key "t7🐘"("user_id") → "users" makes writes and deletes of the running version that break it fail',
    );
    expect(r.stdout.equals(Buffer.from(`${JSON.stringify(report)}\n`))).toBe(true);
  });
});
