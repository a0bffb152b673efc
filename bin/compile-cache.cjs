// V8's compiled code of the CLI's files (its bundle and the parser's loader), kept between
// runs: a run compiles them from the code cache an earlier run left, which holds every function
// that run compiled, the lazily compiled ones too (Node 22's module.enableCompileCache keeps
// only what compiling a file compiles). Instructions of a lint of one file over a 50-file
// history: −20% on Node 20, −23% on Node 22 against its own cache; of a lint of the 19 real
// histories: −2% (callgrind, as bench/instructions.mjs counts).
// One cache file per installation, Node version, architecture and command, under
// $XDG_CACHE_HOME/pgphase or ~/.cache/pgphase: an entry holds every function of its file that
// any run compiled, the cached ones too, so that a cache shared by every command grows the
// entries a lint reads by what plan, run or verify compiled in the same chunks (a lint of the
// generated corpus, one thread, with a cache that other commands had grown to 1.7 MB: 974 ms
// CPU; with its own, 0.75 MB: 846 ms). An entry is used only while its file's size, modification and change
// times are those it was compiled from: V8 checks no more than the source's length, and npm
// gives every file it installs the same modification time, but writing a file moves its change
// time, which no tool sets back. V8 checks each entry's checksum (bin/pgphase.cjs sets
// --verify-snapshot-checksum: a damaged entry is compiled anew, not run). A run that compiles
// a file without its cache writes the cache anew (to a temporary file, renamed over it),
// keeping the entries of the other files that still exist. NODE_DISABLE_COMPILE_CACHE=1,
// which turns Node's own compile cache off, turns it off.
// the CommonJS loader's Module, without `node:module`, which loads Node's ES module loader and source maps
const Module = module.constructor;
const {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { homedir } = require('node:os');
const { dirname, join, sep } = require('node:path');
const vm = require('node:vm');

/** A short name for a string: its FNV-1a hash, 32 bits. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The cache's entries by file name: { the file's version, V8's code cache }; none when missing or unreadable. */
function read(file) {
  try {
    // [length of the header][header: [name, version, size][]][the entries' data, in order]
    const bytes = readFileSync(file);
    const headerEnd = 4 + bytes.readUInt32LE(0);
    const entries = JSON.parse(bytes.toString('utf8', 4, headerEnd));
    const data = bytes.subarray(headerEnd);
    let at = 0;
    return new Map(entries.map(([name, version, size]) => [name, { version, data: data.subarray(at, (at += size)) }]));
  } catch {
    return new Map();
  }
}

/** The cache's bytes, in the layout read() reads. */
function serialized(entries) {
  const list = [...entries];
  const header = Buffer.from(JSON.stringify(list.map(([name, { version, data }]) => [name, version, data.length])));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  return Buffer.concat([size, header, ...list.map(([, { data }]) => data)]);
}

/** Writes the cache that `entries()` gives: to a temporary file, renamed over it. A cache that
 *  cannot be written is no cache: the run has done its work, and its code is not serialized. */
function write(file, entries) {
  const temporary = `${file}.${process.pid}`;
  let fd;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    fd = openSync(temporary, 'w', 0o600);
  } catch {
    return;
  }
  try {
    try {
      writeFileSync(fd, serialized(entries()));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** The CLI's CommonJS files: its bundle, the parser's loader, and the deparser, which prints
 *  expressions (a column's default, a check) when a lint meets them. */
function cliDirs() {
  const dirs = [join(__dirname, '..', 'dist', 'cli')];
  for (const file of ['libpg-query/wasm/libpg-query.js', 'pgsql-deparser']) {
    try {
      dirs.push(dirname(require.resolve(file)));
    } catch {
      // without the parser or the deparser, the commands that need them say so
    }
  }
  return dirs;
}

/** Compiles the CommonJS files under `dirs` through the cache of `command`, from now on in this
 *  thread: the CLI's main thread (bin/pgphase.cjs) and a lint's worker threads
 *  (dist/cli/lint-worker.cjs) share the cache file of the CLI's files for `lint`. */
module.exports = function useCompileCache(dirs = cliDirs(), command = '') {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  let home;
  try {
    home = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  } catch {
    return;
  }
  // a command's name as the file's last part; anything else the first argument may be (an option, a
  // mistyped command) shares one file
  const named = /^[a-z]+$/.test(command) ? `-${command}` : '';
  const file = join(
    home,
    'pgphase',
    `${process.version}-${process.arch}-${fnv1a(dirs.join('\0')).toString(36)}${named}.v8`,
  );
  const kept = read(file);
  /** This run's scripts by file name, with their files' versions. */
  const compiled = new Map();
  let stale = false;
  const prefixes = dirs.map((dir) => dir + sep);
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, format) {
    // Node compiles a file that imports an ES module: the V8 of Node 20 drops the loader of
    // import() from a script read from a code cache, and vm's loader for it warns as experimental
    if (
      !prefixes.some((prefix) => filename.startsWith(prefix)) ||
      (format !== undefined && format !== 'commonjs') ||
      content.includes('import(')
    )
      return compile.call(this, content, filename, format);
    const { size, mtimeMs, ctimeMs } = statSync(filename);
    const version = `${size} ${mtimeMs} ${ctimeMs}`;
    const entry = kept.get(filename);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData: entry?.version === version ? entry.data : undefined,
    });
    if (entry?.version !== version || script.cachedDataRejected) stale = true;
    compiled.set(filename, { version, script });
    return script
      .runInThisContext()
      .call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.on('exit', () => {
    if (!stale) return;
    write(file, () => {
      // entries of files that are gone (an earlier build's chunks) are dropped
      for (const name of kept.keys()) if (!compiled.has(name) && !existsSync(name)) kept.delete(name);
      for (const [filename, { version, script }] of compiled)
        kept.set(filename, { version, data: script.createCachedData() });
      return kept;
    });
  });
};
