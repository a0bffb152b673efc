import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { summarize, type LintResult } from '../../src/lint/result.js';
import { formatResult } from '../../src/report/index.js';
import { CLEAN, MIXED, RENAME_FILE, options } from './fixture.js';

// CLI.md's `--format json` contract; strict objects, so an extra or missing field fails.
const location = z.strictObject({
  line: z.int().min(1),
  column: z.int().min(1),
  endLine: z.int().min(1),
  endColumn: z.int().min(1),
});
const changeClass = z.enum(['additive', 'destructive', 'data', 'neutral']);
const output = z.strictObject({
  version: z.literal(1),
  files: z.array(
    z.strictObject({
      path: z.string(),
      class: changeClass,
      statements: z.array(
        z.strictObject({ index: z.int().min(0), class: changeClass, kinds: z.array(z.string()), location }),
      ),
      findings: z.array(
        z.strictObject({
          rule: z.string(),
          category: z.enum(['breaks-old-code', 'blocks-traffic', 'data-loss', 'robustness', 'style']),
          severity: z.enum(['error', 'warning']),
          message: z.string(),
          help: z.string(),
          location,
          docs: z.string(),
        }),
      ),
    }),
  ),
  summary: z.strictObject({ files: z.int(), statements: z.int(), errors: z.int(), warnings: z.int() }),
});

function json(result: LintResult): string {
  return formatResult(result, 'json', options());
}

describe('json', () => {
  it('matches the schema of CLI.md and carries the result unchanged', () => {
    const parsed = output.parse(JSON.parse(json(MIXED)));
    expect(parsed).toEqual(MIXED);
    expect(output.parse(JSON.parse(json(CLEAN)))).toEqual(CLEAN);
  });

  it('is one line ending with a newline', () => {
    const text = json(MIXED);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text))}\n`);
    expect(text.startsWith('{"version":1,')).toBe(true);
  });

  it('is the JSON of the whole report, though written a file at a time: with no file, and with a baseline', () => {
    const baseline = {
      file: '.pgphase-baseline.json',
      suppressed: { errors: 1, warnings: 2 },
      stale: [{ rule: 'drop-column', file: 'a.sql', fingerprint: 'f0', count: 1 }],
    };
    for (const result of [MIXED, summarize([]), { ...MIXED, baseline }]) {
      const text = json(result);
      expect(text).toBe(`${JSON.stringify(JSON.parse(text))}\n`);
      expect(JSON.parse(text)).toEqual(result);
    }
    expect(JSON.parse(json(summarize([])))).toMatchObject({ files: [] });
  });

  it('keeps multibyte text and escapes only what JSON needs', () => {
    const text = json(MIXED);
    expect(text).toContain('"message":"Renaming \\"users\\".\\"名前\\": breaks 100% of reads, a | b\\r\\nsecond line"');
  });

  it('orders keys as the documented example does', () => {
    const parsed = JSON.parse(json(MIXED)) as {
      files: Array<Record<string, unknown> & { findings: object[]; statements: object[] }>;
    };
    expect(Object.keys(parsed)).toEqual(['version', 'files', 'summary']);
    const file = parsed.files[1]!;
    expect(Object.keys(file)).toEqual(['path', 'class', 'statements', 'findings']);
    expect(Object.keys(file.statements[0]!)).toEqual(['index', 'class', 'kinds', 'location']);
    expect(Object.keys(file.findings[0]!)).toEqual([
      'rule',
      'category',
      'severity',
      'message',
      'help',
      'location',
      'docs',
    ]);
  });

  it('leaves out fields the engine may add later, so the versioned format does not drift', () => {
    const extra = { ...RENAME_FILE, cost: 3, findings: RENAME_FILE.findings.map((f) => ({ ...f, fix: 'x' })) };
    const result = { ...MIXED, files: [extra] };
    expect(output.safeParse(JSON.parse(json(result))).success).toBe(true);
  });
});
