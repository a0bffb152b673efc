#!/usr/bin/env node
// CommonJS, as the CLI's bundle (dist/cli) is: Node's ES module loader is not started for a run
// that loads no ES module, −6% of the instructions of a lint of one file over a 50-file history
// (callgrind, as bench/instructions.mjs counts).
// A pgphase run is short: over before V8's optimizing compilers pay back what they cost, and
// Node waits at exit for the background threads that optimize the parser's WASM. Baseline
// code only (Liftoff for WASM, Sparkplug for JavaScript) costs less CPU on every lint the
// bench measures (bench/lint.mjs). The flags must be set before the parser and the rest load.
const { enableCompileCache } = require('node:module');
const { setFlagsFromString } = require('node:v8');

setFlagsFromString('--liftoff-only');
setFlagsFromString('--max-opt=1');
// the parser's WASM is validated a function at a time, as each is first called, not all at load
setFlagsFromString('--wasm-lazy-validation');
// Node 22 keeps the compiled code of the CLI's modules between runs (in the system's temporary
// directory): −10 ms of a 120 ms lint of one file. Node 20 has no such cache.
enableCompileCache?.();
// a reader that stops early (`pgphase lint --list … | head`) closes the pipe: that ends the output, quietly
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
require('../dist/cli/main.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
