#!/usr/bin/env node
// The floor under any lint built on libpg-query: start Node, load the WASM parser, read and
// parse every file given, nothing else (no rules, no schema model, no report). bench/lint.mjs
// times it beside pgphase and squawk; run alone: node bench/parse-floor.mjs <files…>
// With the V8 flags bin/pgphase.cjs sets, so that the floor and pgphase run on the same tiers.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
setFlagsFromString('--max-opt=1');
const { loadModule, parseSync } = await import('libpg-query');

await loadModule();
let statements = 0;
for (const file of process.argv.slice(2)) statements += parseSync(readFileSync(file, 'utf8')).stmts.length;
console.log(statements);
