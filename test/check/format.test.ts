// The check's reports: lists capped with a count of the rest; the table only where there are phases.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/check/check.js';
import { formatCheck } from '../../src/check/format.js';

function result(points: CheckResult['points'], failing: number): CheckResult {
  const queries = Array.from({ length: failing }, (_, i) => ({
    version: 'old' as const,
    query: `SELECT name FROM users WHERE id = ${i}`,
    origin: `app.sql:${i + 1}`,
    at: points.map((_, p) => (p === points.length - 1 ? { error: 'column "name" does not exist' } : { params: [] })),
  }));
  const last = points.length - 1;
  return {
    version: 1,
    target: { kind: points.length > 2 ? 'plan' : 'migration', path: 'db/0002' },
    postgres: 16,
    plans: true,
    points,
    windows: { old: { from: 0, to: last }, new: { from: last, to: last } },
    sets: {
      old: {
        read: failing,
        duplicates: 0,
        own: 0,
        utility: 0,
        unparsed: 0,
        unparsedExamples: [],
        checked: failing,
        unchecked: [],
      },
    },
    queries,
    failures: queries.map((q) => ({
      version: 'old',
      query: q.query,
      origin: q.origin,
      point: points[last]!.label,
      error: 'column "name" does not exist',
    })),
    lostIndexes: [],
    paramChanges: [],
    timing: { shadowStartMs: 0, schemaMs: 0, stepsMs: 0, checkMs: 0, perQueryPointMs: 0 },
  };
}

const migration: CheckResult['points'] = [
  { name: 'before', label: 'before' },
  { name: 'after', label: 'after the migration' },
];

describe('formatCheck', () => {
  it('pretty: 50 failures shown and a count of the rest; no table for a plain migration', () => {
    const text = formatCheck(result(migration, 60), 'pretty');
    expect(text.match(/^✗ V after the migration: /gm)).toHaveLength(50);
    expect(text).toContain('\n… and 10 more (--format json lists every one)\n');
    expect(text).not.toContain('queries that fail at some point');
    expect(text).toMatch(/\n✗ 60 queries of V fail where V runs, 0 lost index paths, 0 parameter type changes\n$/);
  });

  it('markdown: the same cap; json: every failure', () => {
    const r = result(migration, 60);
    expect(formatCheck(r, 'markdown').match(/^\| V \| after the migration \|/gm)).toHaveLength(50);
    expect(JSON.parse(formatCheck(r, 'json')).failures).toHaveLength(60);
  });
});
