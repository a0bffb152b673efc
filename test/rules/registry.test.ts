import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { CATALOG } from './catalog.js';

describe('the rule registry', () => {
  it('holds exactly the rules of the catalog, with their category and default severity', () => {
    expect(rules.map((r) => [r.meta.id, r.meta.category, r.meta.severity])).toEqual(CATALOG.map(([id, category, severity]) => [id, category, severity]));
  });

  it('gives every version-dependent rule a version range or a version-aware check', () => {
    // rules whose range is in metadata; the others read context.pgVersion themselves and are tested on both sides
    const ranged = new Set(rules.filter((r) => r.meta.pgVersion).map((r) => r.meta.id));
    expect(ranged).toEqual(new Set(['reindex-non-concurrently', 'detach-partition-non-concurrently']));
  });

  it('has a module, a doc page and a test for every rule, and nothing else', () => {
    const files = readdirSync('rules');
    const ids = rules.map((r) => r.meta.id).sort();
    expect(files.filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort()).toEqual(ids);
    expect(files.filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort()).toEqual(ids);
    const tests = readdirSync('test/rules').filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -8));
    expect(ids.filter((id) => !tests.includes(id))).toEqual([]);
  });

  it('points at pgphase plan from every finding a recipe covers', () => {
    const covered = [
      'drop-column', 'rename-column', 'drop-table', 'rename-table', 'add-required-column', 'set-not-null', 'change-column-type', 'drop-default',
      'add-check-constraint', 'drop-object', 'rename-enum-value', 'create-index-non-concurrently', 'drop-index-non-concurrently',
      'add-foreign-key-validated', 'add-check-validated', 'set-not-null-scan', 'add-constraint-builds-index', 'primary-key-on-nullable',
      'column-type-rewrite', 'add-column-rewrite', 'unbatched-data-change', 'narrowing-type-change', 'expand-and-contract-in-one-migration',
    ];
    const missing = rules.filter((r) => covered.includes(r.meta.id) && !r.meta.help.includes('pgphase plan')).map((r) => r.meta.id);
    expect(missing).toEqual([]);
  });
});
