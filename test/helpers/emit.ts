// Test helpers for emitted migrations: a history grown the way its tool grows it.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmitLayout } from '../../src/plan/emit/index.js';

/**
 * Adds the migrations written after the plan, as the tool's own commands would: drizzle-kit
 * generate appends to the journal, sqitch add to the plan, atlas migrate hash rewrites atlas.sum,
 * and a Liquibase changelog is included by the master changelog.
 */
export function addNext(layout: EmitLayout, next: string, root: string): void {
  cpSync(next, root, { recursive: true, filter: (path) => !/(?:_journal\.json|\.(?:plan|yaml)\.next)$/.test(path) });
  if (layout === 'drizzle') {
    const journal = JSON.parse(readFileSync(join(root, 'meta/_journal.json'), 'utf8')) as {
      entries: Array<{ idx: number }>;
    };
    journal.entries.push(
      ...(JSON.parse(readFileSync(join(next, 'meta/_journal.json'), 'utf8')) as typeof journal).entries,
    );
    for (const [idx, e] of journal.entries.entries()) e.idx = idx;
    writeFileSync(join(root, 'meta/_journal.json'), JSON.stringify(journal, null, 2));
  }
  if (layout === 'sqitch')
    writeFileSync(
      join(root, 'sqitch.plan'),
      readFileSync(join(root, 'sqitch.plan'), 'utf8') + readFileSync(join(next, 'sqitch.plan.next'), 'utf8'),
    );
  const master = 'db.changelog-master.yaml';
  if (layout === 'liquibase')
    writeFileSync(
      join(root, master),
      readFileSync(join(root, master), 'utf8') + readFileSync(join(next, `${master}.next`), 'utf8'),
    );
  if (layout === 'atlas') writeFileSync(join(root, 'atlas.sum'), atlasSum(root));
}

/** atlas.sum as Atlas computes it (ariga.io/atlas/sql/migrate HashFile): a running SHA-256 over each file's name and bytes, in name order, and one over those sums. */
export function atlasSum(root: string): string {
  const running = createHash('sha256');
  const sums = readdirSync(root)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map(
      (name) =>
        [
          name,
          running
            .update(name)
            .update(readFileSync(join(root, name)))
            .copy()
            .digest('base64'),
        ] as const,
    );
  const total = createHash('sha256');
  for (const [name, sum] of sums) total.update(name).update(sum);
  return `h1:${total.digest('base64')}\n${sums.map(([name, sum]) => `${name} h1:${sum}\n`).join('')}`;
}
