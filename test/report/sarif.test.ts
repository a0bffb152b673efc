import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { summarize } from '../../src/lint/result.js';
import type { LintResult } from '../../src/lint/result.js';
import { formatResult } from '../../src/report/index.js';
import { BROKEN_FILE, CLEAN, MIXED, NASTY_MESSAGE, RULES, options } from './fixture.js';

// The parts of SARIF 2.1.0 that code scanning needs, all required here; other fields pass through.
const text = z.looseObject({ text: z.string().min(1) });
const level = z.enum(['error', 'warning', 'note', 'none']);
const sarif = z.looseObject({
  $schema: z.literal('https://json.schemastore.org/sarif-2.1.0.json'),
  version: z.literal('2.1.0'),
  runs: z
    .array(
      z.looseObject({
        tool: z.looseObject({
          driver: z.looseObject({
            name: z.literal('pgphase'),
            version: z.string(),
            rules: z.array(
              z.looseObject({
                id: z.string(),
                name: z.string(),
                shortDescription: text,
                fullDescription: text,
                helpUri: z.url(),
                defaultConfiguration: z.looseObject({ level }),
                properties: z.looseObject({ category: z.string() }),
              }),
            ),
          }),
        }),
        results: z.array(
          z.looseObject({
            ruleId: z.string(),
            ruleIndex: z.int().min(0).optional(),
            level,
            message: text,
            locations: z
              .array(
                z.looseObject({
                  physicalLocation: z.looseObject({
                    artifactLocation: z.looseObject({ uri: z.string() }),
                    region: z.looseObject({
                      startLine: z.int().min(1),
                      startColumn: z.int().min(1),
                      endLine: z.int().min(1),
                      endColumn: z.int().min(1),
                    }),
                  }),
                }),
              )
              .length(1),
          }),
        ),
      }),
    )
    .length(1),
});

function sarifOf(result: LintResult) {
  const log = sarif.parse(JSON.parse(formatResult(result, 'sarif', options({ version: '1.2.3' }))));
  return log.runs[0]!;
}

describe('sarif', () => {
  it('has the SARIF 2.1.0 envelope and the tool driver', () => {
    const run = sarifOf(MIXED);
    expect(run.tool.driver).toMatchObject({ name: 'pgphase', version: '1.2.3' });
    expect(run).toMatchObject({ columnKind: 'unicodeCodePoints' });
  });

  it('lists every registry rule with descriptions, help URI, default level and category', () => {
    const rules = sarifOf(CLEAN).tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(rules[1]).toEqual({
      id: 'rename-column',
      name: 'rename-column',
      shortDescription: { text: 'Renaming a column breaks the running version' },
      fullDescription: { text: 'Renaming a column breaks the running version' },
      helpUri: 'https://github.com/pgphase/pgphase/blob/main/rules/rename-column.md',
      defaultConfiguration: { enabled: true, level: 'error' },
      properties: { category: 'breaks-old-code', tags: ['breaks-old-code'] },
    });
    expect(rules.map((r) => r.defaultConfiguration)).toEqual([
      { enabled: true, level: 'error' },
      { enabled: true, level: 'error' },
      { enabled: true, level: 'warning' },
      { enabled: false, level: 'none' },
    ]);
  });

  it('gives one result per finding whose ruleIndex points at its rule', () => {
    const run = sarifOf(MIXED);
    const findings = MIXED.files.flatMap((f) => f.findings);
    expect(run.results).toHaveLength(findings.length);
    run.results.forEach((r, i) => {
      expect(r.ruleId).toBe(findings[i]!.rule);
      expect(run.tool.driver.rules[r.ruleIndex!]!.id).toBe(r.ruleId);
      expect(r.level).toBe(findings[i]!.severity);
    });
    expect(run.results.map((r) => r.ruleIndex)).toEqual([1, 2, 0]);
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning', 'error']);
  });

  it('puts message and help in the text and the finding’s span in the region', () => {
    const [rename, index] = sarifOf(MIXED).results;
    expect(rename!.message.text).toBe(`${NASTY_MESSAGE}\n\nRun \`pgphase plan\`: expand, backfill, contract`);
    expect(rename!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'migrations/0042_rename.sql' },
      region: { startLine: 2, startColumn: 29, endLine: 2, endColumn: 76 },
    });
    expect(index!.locations[0]!.physicalLocation.region).toEqual({
      startLine: 1,
      startColumn: 1,
      endLine: 3,
      endColumn: 15,
    });
  });

  it('turns paths into relative URI references with forward slashes', () => {
    const uris = sarifOf(MIXED).results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris[1]).toBe('db/2024%2C01%3Aadd%20index.sql');
    const windows = sarifOf(summarize([{ ...BROKEN_FILE, path: 'db\\migrations\\0044 #1.sql' }]));
    expect(windows.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'db/migrations/0044%20%231.sql',
    );
  });

  it('leaves out ruleIndex for a finding whose rule is not in the registry', () => {
    const stray = { ...BROKEN_FILE, findings: [{ ...BROKEN_FILE.findings[0]!, rule: 'from-a-plugin' }] };
    const [result] = sarifOf(summarize([stray])).results;
    expect(result!.ruleId).toBe('from-a-plugin');
    expect(result).not.toHaveProperty('ruleIndex');
  });

  it('has an empty results array for a clean run', () => {
    expect(sarifOf(CLEAN).results).toEqual([]);
  });
});
