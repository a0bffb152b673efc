#!/usr/bin/env node
// Summarizes a V8 .cpuprofile of a pgphase run: the top functions by self time, and the
// time split by phase. A sample is charged to the first phase (in PHASES order) that some
// frame of its stack belongs to; what follows the last sample in pgphase's or a dependency's
// code is the exit drain (Node waits for V8's background WASM compile jobs before exiting).
// Frames in the CLI's bundle (dist/cli) are mapped back to their modules by its source maps.
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof bin/pgphase.cjs lint <paths> --format json >/dev/null
//      node bench/cpuprofile.mjs /tmp/prof/*.cpuprofile
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map();
/** The frame as its module has it: a frame of a bundled file names the module and line it was built from. */
function unbundled(frame) {
  if (!/\/dist\/cli\/[^/]+\.c?js$/.test(frame.url)) return frame;
  const path = fileURLToPath(frame.url);
  if (!maps.has(path)) {
    try {
      maps.set(path, new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
    } catch {
      maps.set(path, undefined);
    }
  }
  const entry = maps.get(path)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry?.originalSource) return frame;
  return { ...frame, url: new URL(entry.originalSource, frame.url).href, lineNumber: entry.originalLine };
}

const topLevel = (f) => f.functionName === '' && f.lineNumber === 0;
const project = (re) => (f) => re.test(f.url) && !topLevel(f);
const PHASES = [
  ['idle: waiting on file I/O / off-thread WASM compile', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  [
    'WASM parser load (read, instantiate)',
    (f) =>
      /libpg-query\.js/.test(f.url) &&
      /^(createWasm|instantiate\w*|getWasmBinary|readAsync|run|initRuntime)$/.test(f.functionName),
  ],
  ['deparse (pgsql-deparser, via normalize exprText)', project(/pgsql-deparser|@pgsql\/quotes/)],
  ['parse: scanSync (tokens, comments)', (f) => f.functionName === 'scanSync'],
  ['parse: parseSync (AST + JSON.parse)', (f) => f.functionName === 'parseSync'],
  ['parse: sql/source.js (spans, line index)', project(/\/sql\/source\.js/)],
  ['normalize (sql/normalize)', project(/\/sql\/normalize\.js/)],
  ['reporting (report/, stdout)', project(/\/report\/|\/cli\/main\.js/)],
  ['schema model (schema/)', project(/\/schema\//)],
  ['rules + engine (rules/, lint/, sql/locks)', project(/\/rules\/|\/lint\/|\/sql\/locks\.js/)],
  ['discovery + file reads (discover/)', project(/\/discover\//)],
  [
    'module load + compile (imports, top-level code)',
    (f) => /node:internal\/modules|node:internal\/bootstrap/.test(f.url) || topLevel(f),
  ],
  ['other (V8 program, CLI glue)', () => true],
];

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  for (const node of profile.nodes) node.callFrame = unbundled(node.callFrame);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ms = (i) => (profile.timeDeltas[i + 1] ?? 0) / 1000; // a sample lasts until the next one
  const stackOf = (id) => {
    const stack = [];
    for (let n = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n).callFrame);
    return stack;
  };
  // the run's work ends with the last sample in pgphase's or a dependency's code
  let lastBusy = profile.samples.length - 1;
  while (lastBusy > 0 && !stackOf(profile.samples[lastBusy]).some((f) => /\/(dist|node_modules)\//.test(f.url)))
    lastBusy--;

  const fnSelf = new Map();
  const phases = new Map(PHASES.map(([name]) => [name, 0]));
  let total = 0;
  let exitDrain = 0;
  for (const [i, id] of profile.samples.entries()) {
    total += ms(i);
    if (i > lastBusy) {
      exitDrain += ms(i);
      continue;
    }
    const { callFrame: f } = byId.get(id);
    const key = `${f.functionName || (topLevel(f) ? '(top level)' : '(anonymous)')}  ${f.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '')}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms(i));
    const stack = stackOf(id);
    const [name] = PHASES.find(([, test]) => stack.some(test));
    phases.set(name, phases.get(name) + ms(i));
  }
  const pct = (t) => `${t.toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%`;
  console.log(
    `${file}: ${total.toFixed(0)} ms profiled (node bootstrap before the profile starts is not included)\n\ntop 10 functions by self time:`,
  );
  for (const [key, t] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(t)}  ${key}`);
  console.log('\nby phase:');
  for (const [name, t] of phases) if (t >= 0.5) console.log(`${pct(t)}  ${name}`);
  if (exitDrain > 0) console.log(`${pct(exitDrain)}  exit drain: after the last sample in pgphase or dependency code`);
  console.log();
}
