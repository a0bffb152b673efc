#!/usr/bin/env node
// Instructions of a cold lint, counted by valgrind's callgrind: a measure of CPU work that
// another process on the machine does not move, for judging a change of a few percent that
// timings (bench/lint.mjs) cannot tell from noise. Node runs single-threaded, with fixed hash
// and random seeds, so that a count repeats; the garbage collector's part still varies by about
// 10% between runs (a full collection or not), so the work outside it is reported apart.
// The CLI's compile cache is filled by a run before the counted one, in a directory of its own.
// Lints the real histories (when scripts/corpus.mjs has extracted them) and the generated
// corpus, with this checkout's build and, with --against <checkout>, another's (built) in the
// same run: `git worktree add /tmp/base main && (cd /tmp/base && npm ci && npm run build)`.
// Run: `npm run build && node bench/instructions.mjs [--against <checkout>]`; about a minute
// per corpus and checkout. Skips with one line where valgrind is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CORPUS, writeCorpus } from './corpus.mjs';
import { cachedHistories } from '../scripts/corpus.mjs';

const ROOT = join(CORPUS, '..', '..');
const { values } = parseArgs({ options: { against: { type: 'string' } } });
if (spawnSync('valgrind', ['--version']).error) {
  console.log('skipped: valgrind is not installed (apt-get install valgrind)');
  process.exit(0);
}

/** V8's garbage collector, by the names of its functions. */
const GC =
  /Mark|Sweep|Scaveng|Evacuat|Worklist|BodyDescriptor|RecordMigrated|Compact|RecordWrite|SizeFromMap|heap::|Heap::|GCTracer|MemoryAllocator|ConcurrentMarking|PagedSpace|FreeList|Remembered|SlotSet|TypedSlot|Heap<|IterateRoots|LocalHeap|NewSpace|SemiSpace/;

/** Instructions of one lint of `dirs` by the checkout at `root`: in all, and in the garbage collector. */
function count(root, dirs) {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-callgrind-'));
  try {
    const out = join(dir, 'callgrind.out');
    const node = [
      ...['--single-threaded', '--hash-seed=1', '--random-seed=1'],
      // a checkout from before the bin was CommonJS has bin/pgphase.js
      ...[['cjs', 'js'].map((ext) => join(root, 'bin', `pgphase.${ext}`)).find((bin) => existsSync(bin)), 'lint'],
      ...[...dirs, '--format', 'json'],
      // the work of one thread: how much a worker thread does depends on valgrind's scheduling of
      // threads (a checkout from before worker threads has no --threads)
      ...(existsSync(join(root, 'dist', 'src', 'lint', 'threads.js')) ? ['--threads', '1'] : []),
    ];
    // without the machine's NODE_EXTRA_CA_CERTS, as bench/lint.mjs runs the tools
    const { NODE_EXTRA_CA_CERTS, ...env } = process.env;
    // a run outside valgrind first, with the same V8 flags, fills the CLI's compile cache
    // (bin/compile-cache.cjs) as a user's earlier run does: the count is of a run that finds it
    env.XDG_CACHE_HOME = dir;
    spawnSync(process.execPath, node, { cwd: ROOT, env, stdio: 'ignore' });
    const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...node], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    // findings make lint exit 1
    if (run.status !== 0 && run.status !== 1) throw new Error(`bench: lint under valgrind failed: ${run.stderr}`);
    const annotated = execFileSync('callgrind_annotate', ['--threshold=100', out], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const total = Number(/^\s*([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/m.exec(annotated)?.[1]?.replaceAll(',', ''));
    // after the totals, a line per function: "  1,234 ( 0.01%)  file:function"
    let gc = 0;
    for (const [, n, fn] of annotated
      .slice(annotated.indexOf('file:function'))
      .matchAll(/^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/gm))
      if (GC.test(fn)) gc += Number(n.replaceAll(',', ''));
    return { total, gc };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const corpora = [];
const histories = cachedHistories();
if (histories.length > 0) corpora.push(['real histories', histories.map((h) => relative(ROOT, h.dir))]);
else console.log('real histories: skipped: none extracted (node scripts/corpus.mjs)');
corpora.push(['generated corpus', writeCorpus().dirs.map((d) => relative(ROOT, d))]);
const checkouts = [['this checkout', ROOT], ...(values.against ? [['--against', resolve(values.against)]] : [])];

const billions = (n) => `${(n / 1e9).toFixed(3)} G`;
console.log('| corpus | checkout | instructions | outside the GC | in the GC |');
console.log('|---|---|---:|---:|---:|');
for (const [name, dirs] of corpora) {
  for (const [label, root] of checkouts) {
    const { total, gc } = count(root, dirs);
    console.log(`| ${name} | ${label} | ${billions(total)} | ${billions(total - gc)} | ${billions(gc)} |`);
  }
}
