#!/usr/bin/env node
// Lint benchmark, pgphase vs squawk, on
//   - real application histories: those of bench/corpus.json that scripts/corpus.mjs has
//     extracted (PGPHASE_HISTORIES, default bench/.histories); skipped with one line when none is;
//   - the generated corpus of bench/corpus.mjs (40 application histories, ~2,000 files, ~13,000
//     statements).
// Each is linted whole in one invocation (pgphase takes the directories, squawk the files pgphase
// lints), again with pgphase's --cache filled by its warm-up run (unchanged migrations re-linted),
// and beside the parser floor (bench/parse-floor.mjs: Node starting, loading libpg-query and
// parsing every file, nothing else) and pgphase on one thread (`--threads 1`; by default a run
// over several sets lints them on the CPUs it may use). The tools write their JSON reports, and
// once more their terminal reports, each tool's default (pgphase's `--format pretty`, squawk's
// `--reporter tty`), with a code frame for each finding. Then one file, cold: a new migration
// over a 50-file history (pgphase replays the 49 earlier files first), what a pre-commit hook
// runs.
// squawk is timed twice: its native binary, and its npm package's launcher (a Node script that
// spawns the binary, which `npx squawk` runs). Every figure is the median of 7 runs after a
// warm-up, the tools' runs alternating (so that machine load affects all alike); wall time, and
// on Linux CPU time (user + system over all threads, which a busier machine or CI runner pays).
// The tools run without NODE_EXTRA_CA_CERTS (see TOOL_ENV). pgphase's warm-up run fills its
// compile cache (bin/compile-cache.cjs), as a user's first run after an install does: "cold"
// means without `--cache`, every file parsed and checked.
// With --against <checkout>, another build of pgphase (`git worktree add /tmp/base main && (cd
// /tmp/base && npm ci && npm run build)`) runs too, alternating with the others, and each table
// ends with the two builds' difference: timings on a shared machine move by ±15% from run to
// run, far more than a change of a few percent, which only a comparison in the same run shows,
// and best paired round by round (`--runs N` for more rounds than 7).
// Checks that the tools linted every file and prints markdown tables.
// Run: `npm run build && node bench/lint.mjs [--against <checkout>] [--runs N]` (or `npm run bench:lint`);
// profile with bench/cpuprofile.mjs. Findings make both tools exit 1, which is expected: the script exits
// non-zero only when a tool crashes (another exit code or a signal) or skips files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS, describeMix, writeCorpus } from './corpus.mjs';
import { cachedHistories, HISTORIES } from '../scripts/corpus.mjs';

const ROOT = join(CORPUS, '..', '..');
const PGPHASE = [join(ROOT, 'bin', 'pgphase.cjs'), 'lint'];
const { values } = parseArgs({ options: { against: { type: 'string' }, runs: { type: 'string' } } });
const AGAINST_ROOT = values.against && resolve(values.against);
const AGAINST = AGAINST_ROOT && [join(AGAINST_ROOT, 'bin', 'pgphase.cjs'), 'lint'];
const FLOOR = join(ROOT, 'bench', 'parse-floor.mjs');
// --runs: more rounds for a comparison of two builds (each figure is still the median)
const RUNS = Number(values.runs ?? 7);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`bench: --runs ${values.runs}: expected a whole number of at least 1`);
  process.exit(2);
}
// squawk-cli is installed here on first use, not as a devDependency: its platform packages are
// not all published for one version, and `npm ci` rejects a lock file that lacks them.
const SQUAWK_VERSION = '2.66.0';
const TOOLS = join(ROOT, 'bench', '.tools');
const SQUAWK = join(TOOLS, 'node_modules', '.bin', 'squawk');
if (!existsSync(SQUAWK)) {
  console.log(`installing squawk-cli@${SQUAWK_VERSION} into bench/.tools …`);
  const r = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      TOOLS,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      `squawk-cli@${SQUAWK_VERSION}`,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('bench: could not install squawk-cli');
}
// the binary the launcher spawns, found as the launcher finds it
const SQUAWK_NATIVE = createRequire(import.meta.url)(
  join(TOOLS, 'node_modules', 'squawk-cli', 'js', 'index.js'),
).getBinaryPath();
// NODE_EXTRA_CA_CERTS makes Node 20 parse that certificate bundle at every start, before any
// code of the tool runs (a machine that points it at the system's whole bundle adds ~50 ms of CPU
// to each Node process): the tools run without it, and the report says what it costs here.
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS;
const TOOL_ENV = { ...process.env };
delete TOOL_ENV.NODE_EXTRA_CA_CERTS;
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
function run(cmd, args, env = TOOL_ENV) {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = cpuBefore === undefined ? undefined : childrenCpuMs() - cpuBefore;
  if (r.error || r.signal || (r.status !== 0 && r.status !== 1)) {
    fail(
      `${relative(ROOT, cmd)} ${args.slice(0, 2).join(' ')}… crashed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}): ${r.stderr?.slice(0, 1000)}`,
    );
  }
  return { ms, cpu, stdout: r.stdout ?? '' };
}

/** Each tool's report of a format: pgphase's `--format` and squawk's `--reporter` (the terminal
 *  report: each tool's default). */
const REPORTS = { json: ['json', 'json'], terminal: ['pretty', 'tty'] };

/** pgphase on `pgArgs`, both squawks on `files` and, when asked, the parser floor on `files` and
 *  pgphase on one thread (`--threads 1`, no worker thread) on `pgArgs`, and the --against build on
 *  `againstArgs` (pgArgs unless a flag names a directory of its own), each writing its `report`
 *  (REPORTS): a warm-up run each (its stdout is kept), then RUNS runs each, alternating, in an
 *  order that turns around every round so that no tool always follows the same one; the median
 *  wall time and the median CPU time of each. */
function compare(pgArgs, files, { floor = false, single = false, againstArgs = pgArgs, report = 'json' } = {}) {
  const [format, reporter] = REPORTS[report];
  const tools = {
    pg: [process.execPath, [...PGPHASE, ...pgArgs, '--format', format]],
    ...(single && { single: [process.execPath, [...PGPHASE, ...pgArgs, '--threads', '1', '--format', format]] }),
    ...(AGAINST && { against: [process.execPath, [...AGAINST, ...againstArgs, '--format', format]] }),
    native: [SQUAWK_NATIVE, ['--reporter', reporter, ...files]],
    npm: [SQUAWK, ['--reporter', reporter, ...files]],
    ...(floor && { floor: [process.execPath, [FLOOR, ...files]] }),
  };
  const out = {};
  for (const [name, [cmd, args]] of Object.entries(tools)) out[name] = { stdout: run(cmd, args).stdout, runs: [] };
  const order = Object.entries(tools);
  for (let i = 0; i < RUNS; i++)
    for (const [name, [cmd, args]] of i % 2 ? [...order].reverse() : order) {
      // the timings only: a run's report (megabytes) is the warm-up's again, and 21 rounds of them all ran out of memory
      const { ms, cpu } = run(cmd, args);
      out[name].runs.push({ ms, cpu });
    }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
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

/** How many files squawk checked: its JSON lists violations only, its default reporter ends with "(checked N source files)". */
function squawkChecked(files) {
  return Number(/checked (\d+) source files/.exec(run(SQUAWK_NATIVE, files).stdout)?.[1] ?? 0);
}

/** The whole of a corpus (cold, and from pgphase's cache) and its parser floor. `dirs` are
 *  pgphase's arguments; squawk and the floor get the files pgphase lints. */
function wholeCorpus(name, dirs, expect) {
  const files0 =
    parseJson(run(process.execPath, [...PGPHASE, ...dirs, '--format', 'json']).stdout, `pgphase on ${name}`)?.files ??
    [];
  const files = files0.map((f) => f.path);
  const cold = compare(dirs, files, { floor: true, single: true });
  const terminal = compare(dirs, files, { report: 'terminal' });
  if (cold.single.stdout !== cold.pg.stdout)
    fail(`pgphase --threads 1 printed another report than the run on several threads on ${name}`);
  const pgOut = parseJson(cold.pg.stdout, 'pgphase');
  if (expect && pgOut && (pgOut.files.length !== expect.files || pgOut.summary.statements !== expect.statements)) {
    fail(
      `pgphase linted ${pgOut.files.length} files / ${pgOut.summary.statements} statements of ${expect.files} / ${expect.statements}`,
    );
  }
  const checked = squawkChecked(files);
  if (checked !== files.length) fail(`squawk checked ${checked} of ${files.length} files of ${name}`);
  const cache = join(TOOLS, 'lint-cache');
  const againstCache = join(TOOLS, 'lint-cache-against');
  for (const dir of [cache, againstCache]) rmSync(dir, { recursive: true, force: true });
  const cached = compare([...dirs, '--cache', cache], files, { againstArgs: [...dirs, '--cache', againstCache] });
  if (cached.pg.stdout !== cold.pg.stdout)
    fail(`pgphase --cache printed another report than the run without it on ${name}`);
  return {
    cold,
    terminal,
    cached,
    files: files.length,
    statements: pgOut?.summary.statements ?? 0,
    findings: {
      pg: pgOut?.files.reduce((n, f) => n + f.findings.length, 0) ?? 0,
      sq: parseJson(cold.native.stdout, 'squawk')?.length ?? 0,
    },
  };
}

// ---- real histories, then the generated corpus -------------------------------------

const loadBefore = loadavg()[0];
const histories = cachedHistories();
const real = histories.length
  ? wholeCorpus(
      'the real histories',
      histories.map((h) => relative(ROOT, h.dir)),
    )
  : undefined;
const corpus = writeCorpus();
const dirs = corpus.dirs.map((d) => relative(ROOT, d));
const generated = wholeCorpus('the generated corpus', dirs, corpus);
if (Number(generated.cold.floor.stdout) !== corpus.statements)
  fail(`the parser floor parsed ${generated.cold.floor.stdout.trim()} of ${corpus.statements} statements`);

// ---- one file, cold: the newest of a 50-file history -------------------------------

const history = readdirSync(join(ROOT, dirs[0]))
  .sort()
  .map((f) => `${dirs[0]}/${f}`);
const newest = compare([history.at(-1)], [history.at(-1)]);

// ---- report ------------------------------------------------------------------------

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
// squawk's CPU on one file is under the 10 ms the kernel counts in: no ratio
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const cells = (tool, m) =>
  m[tool].cpu === undefined ? `${fmt(m[tool].ms)} | ` : `${fmt(m[tool].ms)} | ${fmt(m[tool].cpu)}`;
const row = (label, m, tool = 'pg') => {
  const cpu = m.pg.cpu === undefined ? '' : ` | ${ratio(m[tool].cpu, m.native.cpu)}`;
  console.log(
    `| ${label} | ${cells(tool, m)} | ${cells('native', m)} | ${cells('npm', m)} | ${ratio(m[tool].ms, m.native.ms)}${cpu} |`,
  );
};
const cpu = cpus();
const squawkVersion = spawnSync(SQUAWK_NATIVE, ['--version'], { encoding: 'utf8' })
  .stdout.trim()
  .replace(/^squawk /, '');
console.log(
  `machine: ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, squawk ${squawkVersion}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`,
);
if (EXTRA_CA !== undefined) {
  const start = (env) => {
    const runs = Array.from({ length: RUNS }, () => run(process.execPath, ['-e', '0'], env));
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    return `${fmt(median(runs.map((r) => r.ms)))} wall / ${fmt(median(runs.map((r) => r.cpu ?? 0)))} CPU`;
  };
  console.log(
    `NODE_EXTRA_CA_CERTS=${EXTRA_CA} is set here and unset for every run: \`node -e 0\` takes ${start(process.env)} with it, ${start(TOOL_ENV)} without`,
  );
}
if (real)
  console.log(
    `real histories: ${histories.map((h) => h.name).join(', ')} — ${real.files} files, ${real.statements} statements`,
  );
else
  console.log(
    `real histories: skipped: no corpus at ${relative(ROOT, HISTORIES)} (node scripts/corpus.mjs extracts it)`,
  );
console.log(
  `generated corpus: ${corpus.dirs.length} dirs, ${corpus.files} files, ${corpus.statements} statements, ${(corpus.bytes / 1e6).toFixed(2)} MB; mix: ${describeMix(corpus)}\n`,
);
console.log(
  `medians of ${RUNS} alternating runs; CPU: user + system over all threads; ratios against squawk's native binary\n`,
);
console.log('| | pgphase: wall | CPU | squawk native: wall | CPU | squawk via npm: wall | CPU | ratio: wall | CPU |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, c] of [
  ['real histories', real],
  ['generated corpus', generated],
]) {
  if (!c) continue;
  row(`${name}, cold`, c.cold);
  row(`${name}, cold, pgphase \`--threads 1\``, c.cold, 'single');
  row(`${name}, cold, the terminal report (pgphase \`--format pretty\`, squawk \`--reporter tty\`)`, c.terminal);
  row(`${name}, pgphase \`--cache\` (unchanged)`, c.cached);
  row(`${name}, parser floor (Node + libpg-query parsing every file)`, c.cold, 'floor');
}
row(`one file, cold: a new migration over a ${history.length}-file history`, newest);
if (AGAINST) {
  const change = (a, b) => `${a >= b ? '+' : '−'}${Math.abs((a / b - 1) * 100).toFixed(1)}%`;
  // The two builds run in the same rounds, one after the other: the median of the rounds'
  // differences, and in how many this checkout took less, follow the two builds through a
  // machine's drift over the runs, which the medians of each build alone mix in.
  const paired = (key, m) => {
    const differences = m.pg.runs.map((r, i) => r[key] - m.against.runs[i][key]);
    const fewer = differences.filter((d) => d < 0).length;
    const middle = [...differences].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
    return `${middle > 0 ? '+' : middle < 0 ? '−' : ''}${fmt(Math.abs(middle))}, ${fewer} of ${RUNS}`;
  };
  const pair = (key, m) =>
    m.pg[key] === undefined
      ? '| |'
      : `${fmt(m.against[key])} → ${fmt(m.pg[key])} | ${change(m.pg[key], m.against[key])} | ${paired(key, m)}`;
  console.log(
    `\nthis checkout against ${values.against}, in the same runs (medians; paired: the median of the rounds' differences, and in how many rounds this checkout took less)\n`,
  );
  console.log('| | wall: --against → this | change | paired | CPU: --against → this | change | paired | same report |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  const measured = [
    ...[
      ['real histories', real],
      ['generated corpus', generated],
    ].flatMap(([name, c]) =>
      c
        ? [
            [`${name}, cold`, c.cold],
            [`${name}, cold, \`--format pretty\``, c.terminal],
            [`${name}, \`--cache\` (unchanged)`, c.cached],
          ]
        : [],
    ),
    ['one file, cold', newest],
  ];
  // the terminal report links each rule's docs in the checkout that wrote it, under the file URL
  // of its root (src/meta.ts's docsBaseUrl): read the other checkout's links as this one's
  const docsBase = (root) => `${pathToFileURL(root).href}/`;
  const same = (m) => m.against.stdout.replaceAll(docsBase(AGAINST_ROOT), docsBase(ROOT)) === m.pg.stdout;
  for (const [label, m] of measured)
    console.log(`| ${label} | ${pair('ms', m)} | ${pair('cpu', m)} | ${same(m) ? 'yes' : 'no'} |`);
}
for (const [name, c] of [
  ['real histories', real],
  ['generated corpus', generated],
]) {
  if (c)
    console.log(
      `\n${name}: files linted ${c.files}; findings (for information; the rule sets differ): pgphase ${c.findings.pg}, squawk ${c.findings.sq}`,
    );
}
if (failed) process.exitCode = 1;
