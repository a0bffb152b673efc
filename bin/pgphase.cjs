#!/usr/bin/env node
// CommonJS, as the CLI's bundle (dist/cli) is: Node's ES module loader is not started for a run
// that loads no ES module, −6% of the instructions of a lint of one file over a 50-file history
// (callgrind, as bench/instructions.mjs counts).
// A pgphase run is short: over before V8's optimizing compilers pay back what they cost, and
// Node waits at exit for the background threads that optimize the parser's WASM. Baseline
// code only (Liftoff for WASM, Sparkplug for JavaScript) costs less CPU on every lint the
// bench measures (bench/lint.mjs). The flags must be set before the parser and the rest load.
const { setFlagsFromString } = require('node:v8');
const useCompileCache = require('./compile-cache.cjs');

setFlagsFromString('--liftoff-only');
setFlagsFromString('--max-opt=1');
// the parser's WASM is validated a function at a time, as each is first called, not all at load
setFlagsFromString('--wasm-lazy-validation');
// V8 checks the checksum of a code cache it is given (bin/compile-cache.cjs): a damaged one is
// compiled anew, not run
setFlagsFromString('--verify-snapshot-checksum');
// the compiled code of the CLI's bundle and of the parser's loader is kept between runs, per
// command (bin/compile-cache.cjs); after the flags, which V8's code cache must match
useCompileCache(undefined, process.argv[2]);
// a reader that stops early (`pgphase lint --list … | head`) closes the pipe: that ends the output, quietly
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
require('../dist/cli/main.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
    // once the output is written, the run is over: exiting then skips freeing the heap and the
    // parser's memory, which the system frees anyway (a lint of the real histories: −1% of CPU)
    process.stdout.write('', () => process.stderr.write('', () => process.exit()));
  });
