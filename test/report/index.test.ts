import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/formats.js';
import { formatResult, reportText } from '../../src/report/index.js';
import { formatGithub } from '../../src/report/github.js';
import { formatGitlab } from '../../src/report/gitlab.js';
import { jsonReport } from '../../src/report/json.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatPretty } from '../../src/report/pretty.js';
import { formatSarif } from '../../src/report/sarif.js';
import { CLEAN, MIXED, options } from './fixture.js';

describe('formatResult', () => {
  it('offers the formats of CLI.md and GitLab Code Quality', () => {
    expect([...FORMATS].sort()).toEqual(['github', 'gitlab', 'json', 'markdown', 'pretty', 'sarif']);
  });

  it('dispatches each format name to its formatter', () => {
    const direct = {
      pretty: (result: typeof MIXED, o: ReturnType<typeof options>) => formatPretty(result, o).join(''),
      json: (result: typeof MIXED, o: ReturnType<typeof options>) => jsonReport(result, o).join(''),
      github: (result: typeof MIXED) => formatGithub(result).join(''),
      sarif: formatSarif,
      markdown: formatMarkdown,
      gitlab: formatGitlab,
    };
    for (const format of FORMATS) expect(formatResult(MIXED, format, options())).toBe(direct[format](MIXED, options()));
  });

  it("gives the CLI the JSON, pretty and github reports in pieces, a file's each, and the other formats whole", () => {
    const withFindings = MIXED.files.filter((f) => f.findings.length > 0);
    for (const format of FORMATS) {
      const text = reportText(MIXED, format, options());
      if (format === 'json') {
        expect(Array.isArray(text)).toBe(true);
        // the head, a line per file with a comma between two, the summary
        expect(text).toHaveLength(2 * MIXED.files.length + 1);
        expect(text[1]).toBe(JSON.stringify(JSON.parse(formatResult(MIXED, 'json', options())).files[0]));
      } else if (format === 'pretty') {
        // a block per file with findings and the blank line after it, the summary and its newline
        expect(text).toHaveLength(2 * withFindings.length + 2);
        expect(text[0]).toMatch(new RegExp(`^${withFindings[0]!.path} \\(`));
        expect(text[1]).toBe('\n\n');
      } else if (format === 'github') {
        // the commands of each file with findings, a line each
        expect(text).toHaveLength(withFindings.length);
        expect(text[0]!.split('\n')).toHaveLength(withFindings[0]!.findings.length + 1);
        expect(text[0]).toMatch(/^::error file=.*\n$/);
      } else expect(text).toBe(formatResult(MIXED, format, options()));
      expect(typeof text === 'string' ? text : text.join('')).toBe(formatResult(MIXED, format, options()));
    }
  });

  it('returns text ending in one newline, or nothing (github on a clean run)', () => {
    for (const result of [MIXED, CLEAN]) {
      for (const format of FORMATS) {
        const out = formatResult(result, format, options());
        if (out !== '') expect(out, format).toMatch(/[^\n]\n$/);
      }
    }
    expect(formatResult(CLEAN, 'github', options())).toBe('');
  });

  it('is pure: the same input gives the same text and the input is not changed', () => {
    const before = structuredClone(MIXED);
    for (const format of FORMATS)
      expect(formatResult(MIXED, format, options())).toBe(formatResult(MIXED, format, options()));
    expect(MIXED).toEqual(before);
  });
});
