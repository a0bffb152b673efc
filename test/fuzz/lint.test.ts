// Fuzz test of `pgphase lint`: mutated real-looking migrations never crash it. In process,
// every outcome is a well-formed result or one of pgphase's own errors; as a process, every
// run exits 0, 1 or 2 with a report or one clear line on stderr. Seeded: a failure names its
// seed and case, and PGPHASE_FUZZ_SEED=<seed> reproduces it (PGPHASE_FUZZ_RUNS sets how many
// cases run in process); the inputs of failed cases are kept on disk.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'libpg-query';
import { afterAll, describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { lint, PgphaseError, type FormatName } from '../../src/index.js';
import { lex } from '../../src/sql/lexer.js';
import { loadParser, parseSource, type Location } from '../../src/sql/source.js';
import {
  huge,
  type HugeKind,
  HUGE_KINDS,
  LAYOUT_NAMES,
  layoutFiles,
  migration,
  MUTATION_NAMES,
  MUTATIONS,
  rng,
  type Rng,
} from './generate.js';

const SEED = Number(process.env.PGPHASE_FUZZ_SEED ?? 20240614);
const RUNS = Number(process.env.PGPHASE_FUZZ_RUNS ?? 1000);
const CLI_RUNS = 30;
/** Time one case may take, huge files included: far more than any takes, far less than a quadratic blow-up. */
const CASE_BUDGET_MS = 20_000;
const BIN = resolve('bin/pgphase.cjs');
const RULE_IDS = new Set(rules.map((r) => r.meta.id));

await loadParser();

/** Every .sql file under fixtures/: the real-looking starting points. */
function fixtures(dir = resolve('fixtures')): Buffer[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return fixtures(path);
    return entry.name.endsWith('.sql') ? [readFileSync(path)] : [];
  });
}

const SEEDS = fixtures();
const SCHEMA_DUMP = readFileSync(resolve('fixtures/schema/shop.schema.sql'));
const ROOT = mkdtempSync(join(tmpdir(), 'pgphase-fuzz-'));
let failed = false;

afterAll(() => {
  if (!failed) rmSync(ROOT, { recursive: true, force: true });
});

interface Case {
  /** How the case was made, for the failure message. */
  label: string;
  /** The working directory: `migrations/` and `schema.sql` are in it. */
  dir: string;
  /** What to lint: the directory or its last migration (the earlier ones are then replayed). */
  target: string;
  /** For standard input instead of a file: the name and the bytes. */
  stdin?: { filename: string; data: Buffer };
  /** A schema dump (`--schema`), relative to `dir`. */
  schema?: string;
}

/** A random starting migration: a fixture or a generated one. */
function start(r: Rng): Buffer {
  return r.chance(0.5) ? r.pick(SEEDS) : Buffer.from(migration(r));
}

/** Up to three mutations; now and then none, so that the rules also see whole migrations with history. */
function mutate(r: Rng, data: Buffer, steps: string[]): Buffer {
  let out = data;
  for (let n = r.between(0, 3); n > 0; n--) {
    const name = r.pick(MUTATION_NAMES);
    steps.push(name);
    out = MUTATIONS[name]!(r, out, SEEDS);
  }
  return out;
}

/** Case `index` of stream `stream`: its own random source, so one case is reproducible alone. */
function makeCase(stream: string, index: number, options: { huge?: { bytes: number; kind?: HugeKind } } = {}): Case {
  const r = rng((SEED ^ Math.imul(index + 1, 0x9e3779b1) ^ (stream === 'cli' ? 0x5bd1e995 : 0)) >>> 0);
  const steps: string[] = [];
  let target: Buffer;
  if (options.huge) {
    const big = huge(r, options.huge.bytes, options.huge.kind);
    steps.push(big.name);
    target = big.data;
  } else target = mutate(r, start(r), steps);
  // earlier migrations, each mutated now and then: they are replayed into the schema before the target
  const history = Array.from({ length: r.int(3) }, () => (r.chance(0.3) ? mutate(r, start(r), steps) : start(r)));
  const layout = r.pick(LAYOUT_NAMES);
  const files = layoutFiles(r, layout, [...history, target]);
  const dir = join(ROOT, `${stream}-${index}`);
  const migrations = join(dir, 'migrations');
  for (const [rel, data] of files) {
    mkdirSync(dirname(join(migrations, rel)), { recursive: true });
    writeFileSync(join(migrations, rel), data);
  }
  const sql = [...files.keys()].filter((rel) => rel.endsWith('.sql') && !/down\.sql$/.test(rel));
  const last = join(migrations, sql[sql.length - 1]!);
  const how = r.pick(['dir', 'file', 'file', 'stdin'] as const);
  // now and then a starting schema from a dump, itself mutated half of the time
  const schema = r.chance(0.1) ? 'schema.sql' : undefined;
  if (schema) writeFileSync(join(dir, schema), r.chance(0.5) ? mutate(r, SCHEMA_DUMP, steps) : SCHEMA_DUMP);
  const label = `seed=${SEED} ${stream} case=${index} layout=${layout} history=${history.length} target=${how}${schema ? ' schema' : ''} [${steps.join(', ')}] (input: ${dir})`;
  const stdin = how === 'stdin' ? { filename: relative(dir, last), data: readFileSync(last) } : undefined;
  return { label, dir, target: how === 'dir' ? migrations : last, ...(stdin && { stdin }), ...(schema && { schema }) };
}

/** Problems with one location in a file whose lines have `widths` (characters + 1: a location may point past the end). */
function locationProblems(what: string, location: Location, widths: number[]): string[] {
  const { line, column, endLine, endColumn } = location;
  const ok =
    [line, column, endLine, endColumn].every(Number.isInteger) &&
    line >= 1 &&
    endLine >= line &&
    endLine <= widths.length &&
    column >= 1 &&
    column <= widths[line - 1]! &&
    endColumn >= 1 &&
    endColumn <= widths[endLine - 1]! &&
    (endLine > line || endColumn >= column);
  return ok ? [] : [`${what} at ${JSON.stringify(location)} is outside the file (${widths.length} lines)`];
}

/** The code the lexer finds outside every statement of a file that parses: code the parser dropped. */
function droppedCode(text: string): string[] {
  const source = parseSource('x.sql', text);
  if (source.syntaxError) return [];
  const { code } = lex(source.lines.bytes);
  // runs and statements are both in text order: walk them side by side
  let s = 0;
  for (let k = 0; k < code.length; k += 2) {
    const [from, to] = [code[k]!, code[k + 1]!];
    while (s < source.statements.length && source.statements[s]!.end < to) s++;
    const statement = source.statements[s];
    if (!statement || statement.start > from) {
      return [
        `code at bytes ${from}..${to} (${JSON.stringify(source.lines.slice(from, Math.min(to, from + 40)))}) is in no statement and no syntax error was reported`,
      ];
    }
  }
  return [];
}

/** Whether libpg-query alone accepts the text (its JavaScript side refuses an empty string, which PostgreSQL runs as nothing). */
function parsesAlone(file: string): boolean {
  // a byte order mark at the start is skipped, as psql and Flyway skip it
  const text = file.replace(/^\uFEFF/, '');
  if (text === '') return true;
  try {
    parseSync(text);
    return true;
  } catch {
    return false;
  }
}

/** Runs the library on a case: problems found, none when it behaved. */
async function lintProblems(c: Case): Promise<string[]> {
  let output: Awaited<ReturnType<typeof lint>>;
  try {
    output = await lint({
      paths: c.stdin ? [] : [c.target],
      cwd: c.dir,
      ...(c.stdin && { stdin: { filename: c.stdin.filename, text: c.stdin.data.toString('utf8') } }),
      ...(c.schema && { schemaFile: c.schema }),
    });
  } catch (error) {
    if (error instanceof PgphaseError && !error.message.includes('\n')) return [];
    return [`threw ${(error as Error).stack ?? String(error)}`.split('\n').slice(0, 6).join('\n')];
  }
  const { result, sources } = output;
  const problems: string[] = [];
  if (result.files.length === 0) problems.push('linted no file');
  let errors = 0;
  let warnings = 0;
  for (const file of result.files) {
    const text = sources.get(file.path);
    if (text === undefined) {
      problems.push(`${file.path}: no source text`);
      continue;
    }
    const widths = text.split('\n').map((line) => Array.from(line).length + 1);
    for (const s of file.statements)
      problems.push(...locationProblems(`${file.path}: statement ${s.index}`, s.location, widths));
    for (const f of file.findings) {
      if (!RULE_IDS.has(f.rule)) problems.push(`${file.path}: unknown rule ${f.rule}`);
      if (f.severity !== 'error' && f.severity !== 'warning') problems.push(`${file.path}: severity ${f.severity}`);
      if (typeof f.message !== 'string' || f.message === '') problems.push(`${file.path}: ${f.rule} without a message`);
      problems.push(...locationProblems(`${file.path}: ${f.rule}`, f.location, widths));
      if (f.severity === 'error') errors++;
      else warnings++;
    }
    const syntaxErrors = file.findings.filter((f) => f.rule === 'syntax-error').length;
    // a Liquibase file holds one migration per changeset, each parsed on its own
    const changesets = /^\s*--\s*liquibase\s+formatted\s+sql\b/i.test(text)
      ? (text.match(/^\s*--\s*changeset\b/gim)?.length ?? 0)
      : 0;
    if (syntaxErrors > Math.max(1, changesets)) problems.push(`${file.path}: ${syntaxErrors} syntax-error findings`);
    if (syntaxErrors === 1 && changesets <= 1 && (file.findings.length > 1 || file.statements.length > 0))
      problems.push(`${file.path}: a syntax error with other findings or statements`);
    if (syntaxErrors === 0 && !parsesAlone(text))
      problems.push(`${file.path}: does not parse, but no syntax-error finding`);
    problems.push(...droppedCode(text).map((p) => `${file.path}: ${p}`));
  }
  const statements = result.files.reduce((n, f) => n + f.statements.length, 0);
  const expected = { files: result.files.length, statements, errors, warnings };
  const { summary } = result;
  if (Object.entries(expected).some(([key, n]) => summary[key as keyof typeof expected] !== n))
    problems.push(`summary ${JSON.stringify(summary)}, expected ${JSON.stringify(expected)}`);
  return problems;
}

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Why the run was stopped: it printed too much or took too long. */
  stopped?: string;
}

const OUTPUT_LIMIT = 20 * 1024 * 1024;

/** The CLI as a child process, stopped when it prints more than OUTPUT_LIMIT bytes or runs 30 s. */
function runCli(args: string[], cwd: string, input?: Buffer): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('ran over 30 s'), 30_000);
    const collect = (chunks: Buffer[]) => (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > OUTPUT_LIMIT) stop(`printed over ${OUTPUT_LIMIT} bytes`);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => undefined); // the CLI may exit before it reads its input
    child.stdin.end(input);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(stopped && { stopped }),
      });
    });
  });
}

/** A code frame line of the pretty format: a gutter with or without a line number, then ` | `. */
const FRAME = /^ +\d* \| /;
/** The longest code frame line the pretty format may print, whatever the length of the source line. */
const FRAME_LIMIT = 400;

/** Problems with one CLI run of a case in `format`. */
async function cliProblems(c: Case, format: FormatName): Promise<string[]> {
  const args = [
    'lint',
    '--format',
    format,
    ...(c.schema ? ['--schema', c.schema] : []),
    ...(c.stdin ? ['--stdin-filename', c.stdin.filename] : [c.target]),
  ];
  const run = await runCli(args, c.dir, c.stdin?.data);
  const problems: string[] = [];
  if (run.stopped) return [`pgphase ${args.join(' ')}: ${run.stopped}`];
  if (run.code === null || ![0, 1, 2].includes(run.code)) problems.push(`exit code ${run.code} (signal ${run.signal})`);
  // a stack frame (`    at f (file.js:1:2)`) or an error that reached the top
  if (/^\s+at /m.test(run.stderr) || /internal error|Error:/.test(run.stderr))
    problems.push(`stderr: ${run.stderr.slice(0, 500)}`);
  if (run.code === 2) {
    if (!/^pgphase: [^\n]+\n$/.test(run.stderr))
      problems.push(`exit 2 without exactly one line on stderr: ${JSON.stringify(run.stderr.slice(0, 500))}`);
  } else if (run.code === 0 || run.code === 1) {
    if (run.stderr !== '') problems.push(`stderr on exit ${run.code}: ${run.stderr.slice(0, 500)}`);
    let report: { version?: unknown; files?: unknown; summary?: { errors?: unknown } } | undefined;
    if (format === 'json' || format === 'sarif') {
      try {
        report = JSON.parse(run.stdout);
      } catch (error) {
        problems.push(`stdout is not JSON (${(error as Error).message}): ${run.stdout.slice(0, 200)}`);
      }
    }
    if (format === 'json' && report) {
      const errors = report.summary?.errors;
      if (report.version !== 1 || !Array.isArray(report.files) || typeof errors !== 'number')
        problems.push(`not a version 1 report: ${run.stdout.slice(0, 200)}`);
      else if ((errors > 0 ? 1 : 0) !== run.code) problems.push(`exit ${run.code} with ${errors} errors`);
    }
    if (format === 'pretty') {
      const long = run.stdout.split('\n').find((line) => FRAME.test(line) && line.length > FRAME_LIMIT);
      if (long !== undefined) problems.push(`a code frame line of ${long.length} characters`);
      if (!/[✔✖] .*\n$/.test(run.stdout))
        problems.push(`pretty output without a summary line at the end: ${JSON.stringify(run.stdout.slice(-200))}`);
    }
  }
  return problems.map((p) => `pgphase ${args.join(' ')}: ${p}`);
}

/** The problems `check` finds, and one more when it ran over CASE_BUDGET_MS. */
async function timed(check: () => Promise<string[]>): Promise<string[]> {
  const start = performance.now();
  const problems = await check();
  const ms = Math.round(performance.now() - start);
  return ms > CASE_BUDGET_MS ? [...problems, `took ${ms} ms`] : problems;
}

function report(label: string, problems: string[]): string[] {
  if (problems.length > 0) failed = true;
  return problems.length ? [`${label}\n  ${problems.join('\n  ')}`] : [];
}

describe('fuzz: pgphase lint', () => {
  it(`never crashes on mutated migrations (library, ${RUNS} cases, seed ${SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c = makeCase('lib', i);
      failures.push(...report(c.label, await timed(() => lintProblems(c))));
      if (failures.length >= 10) break;
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('lints huge files (library)', async () => {
    const failures: string[] = [];
    for (const [i, kind] of HUGE_KINDS.entries()) {
      const c = makeCase('huge', i, { huge: { bytes: 3 * 1024 * 1024, kind } });
      failures.push(...report(c.label, await timed(() => lintProblems(c))));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it(`exits 0, 1 or 2 with a report or one line on stderr (CLI, ${CLI_RUNS} runs, seed ${SEED})`, async () => {
    const runs: Array<{ c: Case; format: FormatName }> = [];
    for (let i = 0; i < CLI_RUNS; i++) {
      // Two huge lines for the code frames of the pretty format: an enormous string, and thousands of
      // statements on one line (each with findings, so the report itself is megabytes).
      const huge = [
        { bytes: 2 * 1024 * 1024, kind: 'one-string' as const },
        { bytes: 256 * 1024, kind: 'one-line' as const },
      ][i];
      const c = makeCase('cli', i, huge ? { huge } : {});
      // mostly JSON, which the checks can read; pretty for its code frames; the other formats for crashes
      const format: FormatName =
        i < 2 || i % 5 === 0
          ? 'pretty'
          : i % 5 === 1
            ? (['github', 'sarif', 'markdown'] as const)[Math.floor(i / 5) % 3]!
            : 'json';
      runs.push({ c, format });
    }
    const failures: string[] = [];
    // two at a time: the machines that run the tests have few cores
    const queue = [...runs];
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift())
          failures.push(...report(next.c.label, await cliProblems(next.c, next.format)));
      }),
    );
    expect(failures).toEqual([]);
  }, 120_000);
});
