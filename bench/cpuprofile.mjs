#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time,
// and the time split by phase of a pgphase run, each sample charged to the first phase
// (in the order of PHASES) that some frame of its stack belongs to.
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof bin/pgphase.js lint … --format json >/dev/null
//      node bench/cpuprofile.mjs /tmp/prof/*.cpuprofile
import { readFileSync } from 'node:fs';

const PHASES = [
  ['deparse (pgsql-deparser)', (f) => /pgsql-deparser/.test(f.url)],
  ['WASM parser load', (f) => /libpg-query/.test(f.url) && /loadModule|instantiate|Module|wasm/i.test(f.functionName) && !/parse|scan/i.test(f.functionName)],
  ['parse (libpg-query + sql/source)', (f) => /libpg-query|\/sql\/source\.js/.test(f.url)],
  ['normalize (sql/normalize)', (f) => /\/sql\/normalize\.js/.test(f.url)],
  ['reporting (report/)', (f) => /\/report\//.test(f.url)],
  ['rules + engine (rules/, lint/engine, lint/directives)', (f) => /\/rules\/|\/lint\/(engine|directives|rule)\.js/.test(f.url)],
  ['schema model (schema/)', (f) => /\/schema\//.test(f.url)],
  ['discovery + file I/O (discover/)', (f) => /\/discover\//.test(f.url)],
  ['module load + compile (node:internal/modules, top-level code)', (f) => /node:internal\/modules|^node:internal\/main/.test(f.url) || (f.functionName === '' && f.lineNumber === 0)],
  ['JSON.stringify / GC / other', () => true],
];

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // time per sample: the delta to the next sample
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const fnSelf = new Map();
  const phases = new Map(PHASES.map(([name]) => [name, 0]));
  for (const [id, ms] of self) {
    const { callFrame: f } = byId.get(id);
    const key = `${f.functionName || '(anonymous)'}  ${f.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms);
    const stack = [];
    for (let n = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n).callFrame);
    // a module's top-level code (line 0, no name) is module load, whichever file it is
    const topLevel = (f) => f.functionName === '' && f.lineNumber === 0;
    const [name] = PHASES.find(([name, test]) => stack.some((f) => (name.startsWith('module') || !topLevel(f)) && test(f)));
    phases.set(name, phases.get(name) + ms);
  }
  const pct = (ms) => `${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${total.toFixed(0)} ms sampled (${profile.samples.length} samples)\n\ntop 10 functions by self time:`);
  for (const [key, ms] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${pct(ms)}  ${key}`);
  console.log('\nby phase:');
  for (const [name, ms] of phases) if (ms > 0) console.log(`${pct(ms)}  ${name}`);
  console.log();
}
