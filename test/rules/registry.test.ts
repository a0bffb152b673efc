import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';

describe('the rule registry', () => {
  it('lists each rule once, each in one of the categories', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    const categories = new Set(rules.map((r) => r.meta.category));
    expect([...categories].sort()).toEqual(['blocks-traffic', 'breaks-old-code', 'data-loss', 'robustness', 'style']);
  });

  it('gives every version-dependent rule a version range or a version-aware check', () => {
    // rules whose range is in metadata; the others read context.pgVersion themselves and are tested on both sides
    const ranged = new Set(rules.filter((r) => r.meta.pgVersion).map((r) => r.meta.id));
    expect(ranged).toEqual(new Set(['reindex-non-concurrently', 'detach-partition-non-concurrently']));
  });

  it('has a module, a doc page and a test for every rule, and nothing else', () => {
    const files = readdirSync('rules');
    const ids = rules.map((r) => r.meta.id).sort();
    expect(
      files
        .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
        .map((f) => f.slice(0, -3))
        .sort(),
    ).toEqual(ids);
    expect(
      files
        .filter((f) => f.endsWith('.md'))
        .map((f) => f.slice(0, -3))
        .sort(),
    ).toEqual(ids);
    const tests = readdirSync('test/rules')
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -8));
    expect(ids.filter((id) => !tests.includes(id))).toEqual([]);
  });

  it('gives every message of every rule a help', () => {
    const without = rules.flatMap((r) =>
      Object.entries(r.meta.messages)
        .filter(([, m]) => m.help.trim() === '')
        .map(([id]) => `${r.meta.id}/${id}`),
    );
    expect(without).toEqual([]);
  });

  it('points at pgphase plan from every rule a recipe makes safe, and only from those', () => {
    const plannable = rules.filter((r) => r.meta.plannable).map((r) => r.meta.id);
    const pointing = rules
      .filter((r) => Object.values(r.meta.messages).some((m) => m.help.includes('pgphase plan')))
      .map((r) => r.meta.id);
    expect(pointing).toEqual(plannable);
    expect(plannable.length).toBeGreaterThan(20);
  });
});
