#!/usr/bin/env node
// The differential over real histories: every migration of every cached history of
// bench/corpus.json (scripts/corpus.mjs fills the cache) is planned from the history and from a
// live database at the same point (the two plans must be the same bytes), then proven on a
// shadow database: the migration as written on one copy, the plan phase by phase through the
// runner on another, catalogs and rows compared (src/differential.ts). Prints counts:
// equal / refused (by reason) / failed / differs, and each failure and difference.
// Run: `npm run build && node bench/differential.mjs [name …] [--last N] [--json file]`
//   --last N            plan only the last N migrations of each history (the earlier ones are applied)
//   --shadow-url <url>  a server for the shadow databases (default: an embedded PostgreSQL)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { cachedHistories, HISTORIES } from '../scripts/corpus.mjs';
import { ROOT } from './lib.mjs';

const { values, positionals } = parseArgs({
  options: { 'shadow-url': { type: 'string' }, json: { type: 'string' }, last: { type: 'string' } },
  allowPositionals: true,
});
const histories = cachedHistories().filter((h) => positionals.length === 0 || positionals.includes(h.name));
if (histories.length === 0) {
  console.log(`skipped: no corpus at ${HISTORIES} (run node scripts/corpus.mjs)`);
  process.exit(0);
}
const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', 'src', path)).href);
const { differential } = await dist('differential.js');
const { stopShadowServer } = await dist('shadow/server.js');
const { LAYOUTS } = await dist('discover/index.js');

const counts = new Map();
const refusals = new Map();
const problems = [];
const all = [];
const started = Date.now();
try {
  for (const h of histories) {
    if (!LAYOUTS.includes(h.layout)) {
      console.log(`${h.name}: skipped, layout ${h.layout} is not one pgphase reads`);
      continue;
    }
    const t = Date.now();
    const outcomes = await differential({
      dir: h.dir,
      ...(values['shadow-url'] && { shadowUrl: values['shadow-url'] }),
      ...(values.last && { last: Number(values.last) }),
    }).catch((error) => [{ file: '(history)', kind: 'crashed', details: [error.message] }]);
    const line = new Map();
    for (const o of outcomes) {
      all.push({ history: h.name, ...o });
      counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
      line.set(o.kind, (line.get(o.kind) ?? 0) + 1);
      if (o.kind === 'refused') refusals.set(o.details[0], (refusals.get(o.details[0]) ?? 0) + 1);
      if (!['equal', 'refused', 'nothing to plan', 'history broken'].includes(o.kind))
        problems.push(`${h.name}/${o.file}: ${o.kind}: ${o.details.join('; ')}`);
    }
    console.log(
      `${h.name}: ${outcomes.length} migrations in ${((Date.now() - t) / 1000).toFixed(1)} s: ${[...line].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    );
  }
} finally {
  await stopShadowServer();
}
const planned = [...counts]
  .filter(([k]) => !['nothing to plan', 'history broken'].includes(k))
  .reduce((a, [, n]) => a + n, 0);
console.log(`\n${planned} migrations planned (${((Date.now() - started) / 1000).toFixed(0)} s):`);
for (const kind of [
  'equal',
  'refused',
  'failed',
  'differs',
  'nondeterministic',
  'unproven',
  'crashed',
  'nothing to plan',
  'history broken',
]) {
  if (counts.has(kind)) console.log(`  ${kind}: ${counts.get(kind)}`);
}
if (refusals.size) console.log('\nrefused, by reason:');
for (const [reason, n] of [...refusals].sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${reason}`);
if (problems.length) console.log(`\n${problems.join('\n')}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(all, null, 2)}\n`);
