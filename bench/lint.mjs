#!/usr/bin/env node
// Lint benchmark, pgphase vs squawk, on the generated corpus of bench/corpus.mjs (40
// application histories, ~2,000 files, ~13,000 statements). Measures wall time of
//   1. the whole corpus in one invocation of each tool (median of 3, after a warm-up);
//   2. cold single-file latency (median of 10, after a warm-up): the first file of a history,
//      and its newest file, which pgphase lints on top of a replay of the earlier ones;
// checks that both tools linted every file, and prints a markdown table.
// Run: `npm run build && node bench/lint.mjs` (or `npm run bench:lint`); profile with
// bench/cpuprofile.mjs. Findings make both tools exit 1, which is expected: the script exits
// non-zero only when a tool crashes (another exit code or a signal) or skips files.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { CORPUS, describeMix, writeCorpus } from './corpus.mjs';

const ROOT = join(CORPUS, '..', '..');
const PGPHASE = [join(ROOT, 'bin', 'pgphase.js'), 'lint'];
const SQUAWK = join(ROOT, 'node_modules', '.bin', 'squawk');
let failed = false;

function fail(message) {
  failed = true;
  console.error(`bench: ${message}`);
}

/** One run: wall time in ms and stdout. */
function run(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error || r.signal || (r.status !== 0 && r.status !== 1)) {
    fail(`${relative(ROOT, cmd)} ${args.slice(0, 2).join(' ')}… crashed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}): ${r.stderr?.slice(0, 1000)}`);
  }
  return { ms, stdout: r.stdout ?? '' };
}

/** The median wall time of `times` runs after a warm-up run, whose stdout is kept. */
function timed(cmd, args, times) {
  const { stdout } = run(cmd, args);
  const ms = Array.from({ length: times }, () => run(cmd, args).ms).sort((a, b) => a - b);
  return { ms: ms[Math.floor(times / 2)], stdout };
}

const pgphase = (paths, times) => timed(process.execPath, [...PGPHASE, ...paths, '--format', 'json'], times);
const squawk = (paths, times) => timed(SQUAWK, ['--reporter', 'json', ...paths], times);

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    fail(`${what}: output is not JSON`);
    return undefined;
  }
}

// ---- corpus ------------------------------------------------------------------------

const loadBefore = loadavg()[0];
const corpus = writeCorpus();
const dirs = corpus.dirs.map((d) => relative(ROOT, d));
const files = dirs.flatMap((d) => readdirSync(join(ROOT, d)).sort().map((f) => `${d}/${f}`));
console.log(`generated ${relative(ROOT, CORPUS)}/ — mix: ${describeMix(corpus)}\n`);

// ---- whole corpus: pgphase takes the directories (one history each), squawk the files --

const whole = { pg: pgphase(dirs, 3), sq: squawk(files, 3) };
const pgOut = parseJson(whole.pg.stdout, 'pgphase');
const pgFindings = pgOut?.files.reduce((n, f) => n + f.findings.length, 0) ?? 0;
if (pgOut && (pgOut.files.length !== corpus.files || pgOut.summary.statements !== corpus.statements)) {
  fail(`pgphase linted ${pgOut.files.length} files / ${pgOut.summary.statements} statements of ${corpus.files} / ${corpus.statements}`);
}
// squawk's JSON lists violations only; its default reporter ends with "(checked N source files)"
const sqOut = parseJson(whole.sq.stdout, 'squawk') ?? [];
const sqChecked = Number(/checked (\d+) source files/.exec(run(SQUAWK, files).stdout)?.[1] ?? 0);
const sqSyntax = sqOut.filter((v) => /syntax/.test(v.rule_name)).length;
if (sqChecked !== corpus.files || sqSyntax > 0) fail(`squawk checked ${sqChecked} of ${corpus.files} files, ${sqSyntax} syntax errors`);

// ---- cold single file --------------------------------------------------------------

const history = files.filter((f) => f.startsWith(`${dirs[0]}/`));
const first = { pg: pgphase([history[0]], 10), sq: squawk([history[0]], 10) };
const newest = { pg: pgphase([history.at(-1)], 10), sq: squawk([history.at(-1)], 10) };

// ---- report ------------------------------------------------------------------------

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const row = (label, m) => console.log(`| ${label} | ${fmt(m.pg.ms)} | ${fmt(m.sq.ms)} | ${(m.pg.ms / m.sq.ms).toFixed(2)}× |`);
const cpu = cpus();
const squawkVersion = spawnSync(SQUAWK, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^squawk /, '');
console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, squawk ${squawkVersion}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`);
console.log(`corpus: ${corpus.dirs.length} dirs, ${corpus.files} files, ${corpus.statements} statements, ${(corpus.bytes / 1e6).toFixed(2)} MB\n`);
console.log('| wall time | pgphase | squawk | pgphase/squawk |');
console.log('|---|---:|---:|---:|');
row('whole corpus, one invocation (median of 3)', whole);
row(`single file, first of its history (${history[0].split('/').pop()}; median of 10)`, first);
row(`single file, newest of its history (pgphase replays ${history.length - 1} earlier files; median of 10)`, newest);
console.log(`\nfiles linted: pgphase ${pgOut?.files.length ?? 0} (${pgOut?.summary.statements ?? 0} statements), squawk ${sqChecked}`);
console.log(`findings (for information; the rule sets differ): pgphase ${pgFindings}, squawk ${sqOut.length}`);
console.log(`pgphase throughput: ${Math.round(corpus.statements / (whole.pg.ms / 1000))} statements/s, ${((1000 * whole.pg.ms) / corpus.statements).toFixed(0)} µs per statement (start-up included)`);
if (failed) process.exitCode = 1;
