#!/usr/bin/env node
// Lint benchmark, pgphase vs squawk, on the generated corpus of bench/corpus.mjs (40
// application histories, ~2,000 files, ~13,000 statements). Measures wall time (and, on Linux,
// CPU time: user + system over all threads, which is what a busier machine or CI runner pays) of
//   1. the whole corpus in one invocation of each tool (median of 3, after a warm-up), and
//      again with pgphase's --cache filled by its warm-up run (unchanged migrations re-linted);
//   2. cold single-file latency (median of 10, after a warm-up): the first file of a history,
//      and its newest file, which pgphase lints on top of a replay of the earlier ones;
//   3. the parser floor (bench/parse-floor.mjs): Node starting, loading libpg-query and parsing
//      every file of the corpus, nothing else — what any lint on this parser costs at least
// (squawk runs through its npm package's launcher, as `npx squawk` does; the two tools' runs
// alternate, so machine load affects both alike); checks that both tools linted every file,
// and prints a markdown table.
// Run: `npm run build && node bench/lint.mjs` (or `npm run bench:lint`); profile with
// bench/cpuprofile.mjs. Findings make both tools exit 1, which is expected: the script exits
// non-zero only when a tool crashes (another exit code or a signal) or skips files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { CORPUS, describeMix, writeCorpus } from './corpus.mjs';

const ROOT = join(CORPUS, '..', '..');
const PGPHASE = [join(ROOT, 'bin', 'pgphase.js'), 'lint'];
const FLOOR = join(ROOT, 'bench', 'parse-floor.mjs');
// squawk-cli is installed here on first use, not as a devDependency: its platform packages are
// not all published for one version, and `npm ci` rejects a lock file that lacks them.
const SQUAWK_VERSION = '2.66.0';
const TOOLS = join(ROOT, 'bench', '.tools');
const SQUAWK = join(TOOLS, 'node_modules', '.bin', 'squawk');
if (!existsSync(SQUAWK)) {
  console.log(`installing squawk-cli@${SQUAWK_VERSION} into bench/.tools …`);
  const r = spawnSync('npm', ['install', '--prefix', TOOLS, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `squawk-cli@${SQUAWK_VERSION}`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench: could not install squawk-cli');
}
let failed = false;

function fail(message) {
  failed = true;
  console.error(`bench: ${message}`);
}

/** CPU time (user + system, all threads) of the finished children of this process, in ms:
 *  /proc/self/stat's cutime and cstime, in clock ticks of 10 ms; undefined off Linux. */
function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return undefined;
  // the fields after the command name in parentheses: cutime and cstime are the 14th and 15th
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** One run: wall time and CPU time in ms, and stdout. */
function run(cmd, args) {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = cpuBefore === undefined ? undefined : childrenCpuMs() - cpuBefore;
  if (r.error || r.signal || (r.status !== 0 && r.status !== 1)) {
    fail(`${relative(ROOT, cmd)} ${args.slice(0, 2).join(' ')}… crashed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}): ${r.stderr?.slice(0, 1000)}`);
  }
  return { ms, cpu, stdout: r.stdout ?? '' };
}

/** Both tools (and, when given, the parser floor) on the same files: a warm-up run each (its
 *  stdout is kept), then `times` runs each, alternating so that all see the same machine load;
 *  the median wall time and the median CPU time of each. */
function compare(pgPaths, squawkPaths, times, floorPaths) {
  const tools = {
    pg: [process.execPath, [...PGPHASE, ...pgPaths, '--format', 'json']],
    sq: [SQUAWK, ['--reporter', 'json', ...squawkPaths]],
    ...(floorPaths && { floor: [process.execPath, [FLOOR, ...floorPaths]] }),
  };
  const out = {};
  for (const [name, [cmd, args]] of Object.entries(tools)) out[name] = { stdout: run(cmd, args).stdout, runs: [] };
  for (let i = 0; i < times; i++) for (const [name, [cmd, args]] of Object.entries(tools)) out[name].runs.push(run(cmd, args));
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(times / 2)];
  for (const o of Object.values(out)) {
    o.ms = median(o.runs.map((r) => r.ms));
    o.cpu = o.runs[0].cpu === undefined ? undefined : median(o.runs.map((r) => r.cpu));
  }
  return out;
}

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

// ---- whole corpus: pgphase takes the directories (one history each), squawk the files

const whole = compare(dirs, files, 3, files);
if (Number(whole.floor.stdout) !== corpus.statements) fail(`the parser floor parsed ${whole.floor.stdout.trim()} of ${corpus.statements} statements`);
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

// ---- whole corpus again, from pgphase's cache (its warm-up run fills it) -------------

const CACHE = join(TOOLS, 'lint-cache');
rmSync(CACHE, { recursive: true, force: true });
const cached = compare([...dirs, '--cache', CACHE], files, 3);
if (cached.pg.stdout !== whole.pg.stdout) fail('pgphase --cache printed another report than the run without it');

// ---- cold single file --------------------------------------------------------------

const history = files.filter((f) => f.startsWith(`${dirs[0]}/`));
const first = compare([history[0]], [history[0]], 10);
const newest = compare([history.at(-1)], [history.at(-1)], 10);

// ---- report ------------------------------------------------------------------------

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const cpuCells = (m) => (m.pg.cpu === undefined ? ' | | |' : ` | ${fmt(m.pg.cpu)} | ${fmt(m.sq.cpu)} | ${(m.pg.cpu / m.sq.cpu).toFixed(2)}× |`);
const row = (label, m) => console.log(`| ${label} | ${fmt(m.pg.ms)} | ${fmt(m.sq.ms)} | ${(m.pg.ms / m.sq.ms).toFixed(2)}×${cpuCells(m)}`);
const cpu = cpus();
const squawkVersion = spawnSync(SQUAWK, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^squawk /, '');
console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, squawk ${squawkVersion}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`);
console.log(`corpus: ${corpus.dirs.length} dirs, ${corpus.files} files, ${corpus.statements} statements, ${(corpus.bytes / 1e6).toFixed(2)} MB\n`);
console.log('| | wall: pgphase | squawk | pgphase/squawk | CPU (user + system, all threads): pgphase | squawk | pgphase/squawk |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
row('whole corpus, one invocation (median of 3)', whole);
row('parser floor: Node + libpg-query parsing every file, nothing else (median of 3)', { pg: whole.floor, sq: whole.sq });
row('whole corpus again, pgphase with `--cache` (results reused; median of 3)', cached);
row(`single file, first of its history (${history[0].split('/').pop()}; median of 10)`, first);
row(`single file, newest of its history (pgphase replays ${history.length - 1} earlier files; median of 10)`, newest);
console.log(`\nfiles linted: pgphase ${pgOut?.files.length ?? 0} (${pgOut?.summary.statements ?? 0} statements), squawk ${sqChecked}`);
console.log(`findings (for information; the rule sets differ): pgphase ${pgFindings}, squawk ${sqOut.length}`);
console.log(`pgphase throughput: ${Math.round(corpus.statements / (whole.pg.ms / 1000))} statements/s, ${((1000 * whole.pg.ms) / corpus.statements).toFixed(0)} µs per statement (start-up included)`);
if (failed) process.exitCode = 1;
