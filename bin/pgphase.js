#!/usr/bin/env node
// A pgphase run is short: over before V8's optimizing compilers pay back what they cost, and
// Node waits at exit for the background threads that optimize the parser's WASM. Baseline
// code only (Liftoff for WASM, Sparkplug for JavaScript) costs less CPU on every lint the
// bench measures (bench/lint.mjs). The flags must be set before the parser and the rest load.
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
setFlagsFromString('--max-opt=1');
// Node 22 keeps the compiled code of the CLI's modules between runs (in the system's temporary
// directory): −10 ms of a 120 ms lint of one file. Node 20 has no such cache.
module.enableCompileCache?.();
// a reader that stops early (`pgphase lint --list … | head`) closes the pipe: that ends the output, quietly
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
