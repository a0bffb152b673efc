// `npm run new:rule`: scaffolds a rule, its doc and its test in a copy of the repository, registers
// it after the last rule of its category, and the scaffold type-checks.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';

const ROOT = resolve('.');

function copy(): string {
  const root = mkdtempSync(join(tmpdir(), 'pgphase-new-rule-'));
  for (const dir of ['src', 'rules', 'test/helpers', 'test/setup', 'test/rules'])
    cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
  for (const file of ['tsconfig.json', 'package.json']) cpSync(join(ROOT, file), join(root, file));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}

const scaffold = (root: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/new-rule.mjs'), ...args], { cwd: root, encoding: 'utf8' });

describe('npm run new:rule', () => {
  it('writes the rule, its doc and its test, and registers it after the last rule of its category', () => {
    const root = copy();
    const run = scaffold(root, 'drop-view-used', 'breaks-old-code');
    expect(run.status, run.stderr).toBe(0);
    for (const f of ['rules/drop-view-used.ts', 'rules/drop-view-used.md', 'test/rules/drop-view-used.test.ts'])
      expect(existsSync(join(root, f))).toBe(true);
    const index = readFileSync(join(root, 'rules/index.ts'), 'utf8');
    const last = rules.filter((r) => r.meta.category === 'breaks-old-code').at(-1)!.meta.id;
    const name = last.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    expect(index).toContain(`import ${name} from './${last}.js';\nimport dropViewUsed from './drop-view-used.js';`);
    expect(index).toContain(`  ${name},\n  dropViewUsed,\n`);
    const doc = readFileSync(join(root, 'rules/drop-view-used.md'), 'utf8');
    expect(doc.match(/^## .*/gm)).toEqual(['## Why', '## Incorrect', '## Correct', '## When not to use']);
    const tsc = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
  });

  it('refuses a bad id, an unknown category and an id in use, in one line, with exit code 2', () => {
    const root = copy();
    const bad = scaffold(root, 'Drop_View');
    expect([bad.status, bad.stderr]).toEqual([
      2,
      "new-rule: give the rule's id in kebab-case, e.g. `npm run new:rule -- drop-view style` (got Drop_View)\n",
    ]);
    const category = scaffold(root, 'x-y', 'speed');
    expect([category.status, category.stderr]).toEqual([
      2,
      'new-rule: category speed: expected one of breaks-old-code, blocks-traffic, data-loss, robustness, style\n',
    ]);
    const taken = scaffold(root, 'drop-column');
    expect([taken.status, taken.stderr]).toEqual([
      2,
      'new-rule: rules/drop-column.ts exists already: pick another id\n',
    ]);
    expect(readFileSync(join(root, 'rules/index.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'rules/index.ts'), 'utf8'));
  });
});
