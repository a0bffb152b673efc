#!/usr/bin/env node
// Language server latency: how long `pgphase lsp` takes to publish diagnostics after an edit of
// the last migration of a long history (lemmy's and crates.io's, ~300 migrations each, when
// scripts/corpus.mjs has extracted them; else a generated history of 300 migrations).
// A client (vscode-languageserver-protocol over stdio, as an editor) opens the file, then types a
// statement at its end one character at a time, waiting for each version's diagnostics: the
// latency of each keystroke, its p50 / p95 / max, and the server's CPU time per keystroke (Linux).
// Baseline in the same run: `pgphase lint --stdin-filename` on the same text, which replays the
// whole history as a re-lint from scratch would (median of 7 runs), and the server's first
// diagnostics after opening the file (the history replayed once).
// Goal: p95 < 150 ms once warm. Run: `npm run bench:lsp` (builds, then runs this script).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { cachedHistories } from '../scripts/corpus.mjs';
import { ROOT } from './lib.mjs';

const BIN = join(ROOT, 'bin', 'pgphase.cjs');
if (!existsSync(join(ROOT, 'dist', 'cli'))) throw new Error('bench: dist/ is missing; run `npm run build` first');
const TYPED = '\nALTER TABLE {table} ADD COLUMN bench_note text NOT NULL;\n';

/** The last forward migration file of a diesel history (each migration a directory with up.sql). */
function lastDieselMigration(dir) {
  const names = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'up.sql')))
    .sort();
  return { file: join(dir, names.at(-1), 'up.sql'), migrations: names.length };
}

/** A plain history of `n` migrations: tables, columns, indexes, a few drops and renames. */
function generated(n) {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-bench-lsp-'));
  for (let i = 1; i <= n; i++) {
    const t = `t${i % 40}`;
    const sql =
      i <= 40
        ? `CREATE TABLE ${t} (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), name text);\n`
        : `${[
            `ALTER TABLE ${t} ADD COLUMN c${i} integer;`,
            `CREATE INDEX CONCURRENTLY ${t}_c${i}_idx ON ${t} (c${i});`,
            i % 7 === 0
              ? `ALTER TABLE ${t} RENAME COLUMN c${i} TO d${i};`
              : `COMMENT ON COLUMN ${t}.c${i} IS 'column ${i}';`,
          ].join('\n')}\n`;
    writeFileSync(join(dir, `${String(i).padStart(4, '0')}_m${i}.sql`), sql);
  }
  return { dir, file: join(dir, `${String(n).padStart(4, '0')}_m${n}.sql`), migrations: n, table: 't1' };
}

function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function measure({ name, file, migrations, table }) {
  const server = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(
    new StreamMessageReader(server.stdout),
    new StreamMessageWriter(server.stdin),
  );
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    const resolve = waiting.get(params.version);
    if (resolve) {
      waiting.delete(params.version);
      resolve(params.diagnostics);
    }
  });
  connection.listen();
  const uri = pathToFileURL(file).href;
  const root = pathToFileURL(join(file, '..', '..')).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: root,
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification('initialized', {});
  const published = (version) => new Promise((resolve) => waiting.set(version, resolve));

  let text = readFileSync(file, 'utf8');
  let version = 1;
  let start = performance.now();
  let done = published(version);
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'sql', version, text },
  });
  await done;
  const open = performance.now() - start;

  const typed = TYPED.replace('{table}', table);
  const latencies = [];
  let findings = 0;
  const cpuBefore = cpuMs(server.pid);
  for (const char of typed) {
    const lines = text.split('\n');
    const position = { line: lines.length - 1, character: lines.at(-1).length };
    text += char;
    version++;
    start = performance.now();
    done = published(version);
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: position, end: position }, text: char }],
    });
    findings = (await done).length;
    latencies.push(performance.now() - start);
  }
  const cpuPerEdit = (cpuMs(server.pid) - cpuBefore) / typed.length;
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();

  // the baseline: the CLI lints the same text with the history replayed, as each keystroke would cost without the kept model
  const cli = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'lint', '--stdin-filename', file], { input: text, encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`bench: pgphase lint exited ${r.status}: ${r.stderr}`);
    if (i > 0) cli.push(performance.now() - t0);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    migrations,
    keystrokes: typed.length,
    findings,
    open,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1),
    cpuPerEdit,
    cli: median(cli),
  };
}

const targets = [];
for (const history of cachedHistories().filter((h) => h.name === 'lemmy' || h.name === 'crates-io')) {
  targets.push({
    name: history.name,
    ...lastDieselMigration(history.dir),
    table: history.name === 'lemmy' ? 'person' : 'crates',
  });
}
let scratch;
if (targets.length === 0) {
  console.log(
    'bench: the real histories (lemmy, crates-io) are not extracted (node scripts/corpus.mjs); using a generated one',
  );
  const g = generated(300);
  scratch = g.dir;
  targets.push({ name: 'generated', ...g });
}

const rows = [];
try {
  for (const target of targets) rows.push(await measure(target));
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
const ms = (v) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}; node ${process.version}`,
);
console.log(
  '| history | migrations | keystrokes | p50 | p95 | max | server CPU / keystroke | first diagnostics (open) | `pgphase lint --stdin-filename` (baseline) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.migrations} | ${r.keystrokes} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${ms(r.cpuPerEdit)} | ${ms(r.open)} | ${ms(r.cli)} |`,
  );
const slow = rows.filter((r) => r.p95 >= 150);
if (slow.length) {
  console.log(`goal missed: p95 ≥ 150 ms for ${slow.map((r) => r.name).join(', ')}`);
  process.exitCode = 1;
}
