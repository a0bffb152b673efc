#!/usr/bin/env node
// When each thread of a two-thread lint does what, in ms since the process started: the main
// thread makes the worker, posts it the sets, writes the report and exits; the worker runs its
// first line (Node's start of the thread done), has its sets (its bundle and parser loaded),
// ends its first set and its last. The wall time of such a lint is about (the main thread's
// first set + the worker's + the lint's work) / 2 + the tail after the last set, so this shows
// which of them a change moves. Lints the real histories (when scripts/corpus.mjs has
// extracted them) and the generated corpus, each whole in one `--format json` run read
// through a pipe, as bench/lint.mjs does; a warm-up run first (it fills the CLI's compile
// cache), then the medians and ranges of N runs (bench/timeline-preload.cjs marks the moments).
// A run on more than two CPUs may start more workers: an event then counts at its last mark.
// Run: `npm run build && node bench/timeline.mjs [--runs N]` (or `npm run bench:timeline`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CORPUS, writeCorpus } from './corpus.mjs';
import { cachedHistories } from '../scripts/corpus.mjs';

const ROOT = join(CORPUS, '..', '..');
const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 7);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`bench: --runs ${values.runs}: expected a whole number of at least 1`);
  process.exit(2);
}
const EVENTS = [
  'worker made',
  "worker's first line",
  'sets posted',
  'worker has its sets',
  "worker's first set done",
  "worker's end",
  'report written',
  'exit',
];

const dir = mkdtempSync(join(tmpdir(), 'pgphase-timeline-'));
const file = join(dir, 'events');

/** One lint of `dirs`: each event's time in ms since the process started. */
function timeline(dirs) {
  rmSync(file, { force: true });
  // without the machine's NODE_EXTRA_CA_CERTS, as bench/lint.mjs runs the tools
  const { NODE_EXTRA_CA_CERTS, ...env } = process.env;
  const args = ['-r', join(ROOT, 'bench', 'timeline-preload.cjs'), join(ROOT, 'bin', 'pgphase.cjs'), 'lint'];
  const r = spawnSync(process.execPath, [...args, ...dirs, '--format', 'json'], {
    cwd: ROOT,
    env: { ...env, PGPHASE_TIMELINE: file },
    maxBuffer: 1 << 30,
  });
  // findings make lint exit 1
  if (r.status !== 0 && r.status !== 1) throw new Error(`bench: the lint failed: ${r.stderr}`);
  const marks = new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), BigInt(line.slice(at + 1))];
      }),
  );
  const start = marks.get('start');
  return new Map(
    [...marks].filter(([event]) => event !== 'start').map(([event, ns]) => [event, Number(ns - start) / 1e6]),
  );
}

function table(name, dirs) {
  timeline(dirs);
  const runs = Array.from({ length: RUNS }, () => timeline(dirs));
  const missing = EVENTS.filter((event) => !runs.every((run) => run.has(event)));
  console.log(`\n${name}: ${dirs.length} paths, ${RUNS} runs, ms since the process started\n`);
  if (missing.length > 0) console.log(`(no worker thread, or not in every run: ${missing.join(', ')})\n`);
  console.log('| | median | range |\n|---|---:|---:|');
  for (const event of EVENTS) {
    const times = runs.map((run) => run.get(event)).filter((t) => t !== undefined);
    if (times.length === 0) continue;
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`| ${event} | ${median.toFixed(0)} | ${times[0].toFixed(0)} to ${times.at(-1).toFixed(0)} |`);
  }
}

try {
  const histories = cachedHistories();
  if (histories.length > 0)
    table(
      'the real histories',
      histories.map((h) => relative(ROOT, h.dir)),
    );
  else console.log('real histories: skipped: none cached (node scripts/corpus.mjs extracts them)');
  table(
    'the generated corpus',
    writeCorpus().dirs.map((d) => relative(ROOT, d)),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
