// Every rule has a doc page, rules/<id>.md, whose header matches the rule's metadata
// and whose examples are linted here: "Incorrect" must trigger the rule, "Correct" must not.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import type { FileResult } from '../../src/lint/engine.js';
import type { RuleMeta } from '../../src/lint/rule.js';
import { parseSource } from '../../src/sql/source.js';
import { docPath, example, parseDoc, RULES_DIR, type Example } from '../helpers/docs.js';
import { lintSql } from '../helpers/lint.js';

const SECTIONS = ['Why', 'Incorrect', 'Correct', 'When not to use'];
/** The PostgreSQL version examples are linted for, unless the rule does not apply to it. */
const PG_VERSION = 15;
/** Rules that say an example is malformed; a "Correct" example must produce none of them. */
const MALFORMED = ['syntax-error', 'invalid-ignore', 'unused-ignore'];

/** `<category> · default severity: <severity>[ · PostgreSQL …]`, as the page must state it. */
function expectedMetaLine(meta: RuleMeta): string {
  const parts = [meta.category, `default severity: ${meta.severity}`];
  const { min, max } = meta.pgVersion ?? {};
  if (min !== undefined && max !== undefined) parts.push(`PostgreSQL ${min}–${max}`);
  else if (min !== undefined) parts.push(`PostgreSQL ${min} and later`);
  else if (max !== undefined) parts.push(`PostgreSQL ${max} and earlier`);
  return parts.join(' · ');
}

function lintExample(meta: RuleMeta, ex: Example): FileResult {
  const { min, max } = meta.pgVersion ?? {};
  const pgVersion = Math.min(Math.max(PG_VERSION, min ?? PG_VERSION), max ?? PG_VERSION);
  // a rule that is off by default is switched on to lint its own examples
  const severities = meta.severity === 'off' ? { [meta.id]: 'error' as const } : {};
  return lintSql(ex.sql, { history: ex.history, transaction: ex.transaction ?? 'none', pgVersion, severities });
}

function shown(result: FileResult): string {
  return (
    result.findings
      .map((f) => `  ${f.rule}@${f.location.line}:${f.location.column} ${f.severity}: ${f.message}`)
      .join('\n') || '  (none)'
  );
}

describe('rule docs', () => {
  it('every rules/*.md belongs to a rule in the registry', () => {
    const ids = new Set(rules.map((r) => r.meta.id));
    const orphans = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.slice(0, -'.md'.length))
      .filter((id) => !ids.has(id));
    expect(orphans).toEqual([]);
  });

  describe.each(rules.map((r) => [r.meta.id, r.meta] as const))('%s', (id, meta) => {
    const path = docPath(id);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const doc = text === undefined ? undefined : parseDoc(text);

    it('has a page with the title, metadata line, summary and sections', () => {
      expect(text, `rules/${id}.md is missing`).toBeDefined();
      expect(doc!.title).toBe(`# ${id}`);
      expect(doc!.metaLine).toBe(expectedMetaLine(meta));
      expect(doc!.summary, 'a paragraph saying what the rule flags').not.toBe('');
      expect(doc!.headings).toEqual(SECTIONS);
      for (const heading of SECTIONS)
        expect(doc!.sections.get(heading)?.trim(), `"## ${heading}" is empty`).not.toBe('');
    });

    it('its Incorrect example triggers the rule', () => {
      expect(doc, `rules/${id}.md is missing`).toBeDefined();
      const ex = example(doc!.sections.get('Incorrect'), 'Incorrect');
      if (ex.history) expect(parseSource('history.sql', ex.history).syntaxError).toBeUndefined();
      const result = lintExample(meta, ex);
      expect(
        result.findings.some((f) => f.rule === id),
        `expected a "${id}" finding, got:\n${shown(result)}`,
      ).toBe(true);
    });

    it('its Correct example does not trigger the rule', () => {
      expect(doc, `rules/${id}.md is missing`).toBeDefined();
      const ex = example(doc!.sections.get('Correct'), 'Correct');
      if (ex.history) expect(parseSource('history.sql', ex.history).syntaxError).toBeUndefined();
      const result = lintExample(meta, ex);
      // a Correct example must parse, carry only ignores that apply, and pass the lint as a whole
      const wrong = result.findings.filter(
        (f) => f.rule === id || MALFORMED.includes(f.rule) || f.severity === 'error',
      );
      expect(wrong, `expected no "${id}" finding and no error, got:\n${shown(result)}`).toEqual([]);
    });
  });
});
