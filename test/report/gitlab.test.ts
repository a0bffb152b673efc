import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/lint/result.js';
import { formatResult } from '../../src/report/index.js';
import { codeQualityReport } from './code-quality.js';
import { CLEAN, INDEX_FILE, MIXED, NASTY_MESSAGE, RENAME_FILE, options } from './fixture.js';

const report = (result = MIXED) => codeQualityReport.parse(JSON.parse(formatResult(result, 'gitlab', options())));

describe('gitlab (Code Quality) format', () => {
  it('has one issue per finding with the fields GitLab requires', () => {
    const issues = report();
    expect(issues.map((i) => [i.location.path, i.check_name, i.severity, i.location.lines.begin])).toEqual([
      ['migrations/0042_rename.sql', 'rename-column', 'major', 2],
      ['db/2024,01:add index.sql', 'require-concurrent-index', 'minor', 1],
      ['migrations/0044_broken.sql', 'syntax-error', 'major', 1],
    ]);
    // the message as it is: JSON carries the characters other formats escape
    expect(issues[0]!.description).toBe(NASTY_MESSAGE);
    expect(issues[1]!.location).toEqual({ path: 'db/2024,01:add index.sql', lines: { begin: 1, end: 3 } });
  });

  it('is an empty array for a clean run, so the artifact stays valid', () => {
    expect(formatResult(CLEAN, 'gitlab', options())).toBe('[]\n');
  });

  it('gives stable fingerprints: the same finding keeps its own whatever else the run holds', () => {
    const alone = report(summarize([RENAME_FILE]))[0]!.fingerprint;
    expect(report()[0]!.fingerprint).toBe(alone);
    expect(alone).toMatch(/^[0-9a-f]{64}$/);
    // a finding that moved is another finding
    const moved = {
      ...RENAME_FILE,
      findings: [{ ...RENAME_FILE.findings[0]!, location: { ...RENAME_FILE.findings[0]!.location, line: 3 } }],
    };
    expect(report(summarize([moved]))[0]!.fingerprint).not.toBe(alone);
  });

  it('gives unique fingerprints, also to two identical findings', () => {
    const twice = { ...INDEX_FILE, findings: [INDEX_FILE.findings[0]!, INDEX_FILE.findings[0]!] };
    const issues = report(summarize([RENAME_FILE, twice, { ...twice, path: 'other.sql' }]));
    expect(issues).toHaveLength(5);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(5);
  });
});
