#!/usr/bin/env node
// Proof benchmark: what proving a plan costs. A history of 8 migrations (written here: tables,
// a foreign key, an index) and a rename-column migration on top, planned with --history:
//   - cold: `node bin/pgphase.cjs plan … ` as a user runs it, the embedded PostgreSQL started
//     and stopped inside; next to the same command with --no-prove (the baseline). The first
//     run finds no cached initdb data directory (src/runner/embedded.ts) and makes it, the
//     others copy it. Wall time, and on Linux the CPU time of the command with its PostgreSQL
//     processes (what a loaded machine stretches);
//   - warm: plan() in one process whose shadow server is already up, next to plan() without
//     the proof, alternated --runs times (default 10).
// Run: `npm run build && node bench/prove.mjs [--runs N] [--cold-runs N] [--quick]`
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { count, flags, ms, pgphase, ROOT, stats, table, timed } from './lib.mjs';

const opts = flags({ runs: { type: 'string' }, 'cold-runs': { type: 'string' } });
const RUNS = count(opts.runs, 'runs', opts.quick ? 3 : 10);
const COLD = count(opts['cold-runs'], 'cold-runs', opts.quick ? 2 : 5);
const { plan } = await pgphase();
const { stopShadowServer } = await import(join(ROOT, 'dist', 'src', 'shadow', 'server.js'));

const dir = mkdtempSync(join(tmpdir(), 'pgphase-bench-prove-'));
const history = join(dir, 'migrations');
mkdirSync(history);
const files = [
  'CREATE TABLE members (id bigserial PRIMARY KEY, handle text NOT NULL, joined date)',
  'CREATE TABLE groups (id bigserial PRIMARY KEY, title text NOT NULL)',
  'CREATE TABLE memberships (member_id bigint NOT NULL REFERENCES members (id), group_id bigint NOT NULL REFERENCES groups (id), PRIMARY KEY (member_id, group_id))',
  'ALTER TABLE members ADD COLUMN email text',
  'CREATE INDEX members_email_idx ON members (email)',
  'ALTER TABLE groups ADD COLUMN archived boolean NOT NULL DEFAULT false',
  'CREATE TABLE posts (id bigserial PRIMARY KEY, member_id bigint REFERENCES members (id), body text)',
  'ALTER TABLE posts ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()',
];
for (const [i, sql] of files.entries())
  writeFileSync(join(history, `${String(i + 1).padStart(3, '0')}_step.sql`), `${sql};\n`);
const migration = join(history, '009_rename_handle.sql');
writeFileSync(migration, 'ALTER TABLE members RENAME COLUMN handle TO display_name;\n');

/** CPU time (ms) of the children this process has waited for, and theirs: /proc/self/stat's cutime and cstime, in ticks of 10 ms (Linux only). */
function childCpu() {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function cli(extra) {
  const cpu = childCpu();
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'pgphase.cjs'),
      'plan',
      migration,
      '--history',
      history,
      '--out',
      join(dir, 'cli'),
      '--force',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`plan failed: ${r.stderr}`);
  return { ms: performance.now() - t, cpu: cpu === undefined ? undefined : childCpu() - cpu, out: r.stdout };
}

// the first cold run on this machine: no initdb data directory cached yet
for (const name of readdirSync(tmpdir()))
  if (name.startsWith('pgphase-initdb-') && name.endsWith(`-${userInfo().uid}`))
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
const first = cli([]);
const line = first.out.split('\n').find((l) => l.startsWith('proven') || l.startsWith('proof')) ?? '';
const cold = { proof: [], baseline: [] };
for (let i = 0; i < COLD; i++) {
  cold.proof.push(cli([]));
  cold.baseline.push(cli(['--no-prove']));
}
const warm = { proof: [], baseline: [] };
try {
  await plan({ file: migration, history, out: join(dir, 'warm'), force: true, prove: true }); // starts the shared server
  for (let i = 0; i < RUNS; i++) {
    warm.proof.push(
      (await timed(() => plan({ file: migration, history, out: join(dir, 'warm'), force: true, prove: true }))).ms,
    );
    warm.baseline.push((await timed(() => plan({ file: migration, history, out: join(dir, 'warm'), force: true }))).ms);
  }
} finally {
  await stopShadowServer();
  rmSync(dir, { recursive: true, force: true });
}

const cpu = (runs) => (runs.every((r) => r.cpu !== undefined) ? ms(stats(runs.map((r) => r.cpu)).p50) : '—');
const row = (name, values, cpuTime = '—') => [name, ms(stats(values).p50), ms(stats(values).max), cpuTime];
console.log(`proof of a rename-column plan over a ${files.length}-migration history: ${line}\n`);
console.log(
  table(
    ['', 'p50', 'max', 'CPU p50 (with PostgreSQL)'],
    [
      row('cold: pgphase plan, first run (initdb, its data directory cached) ×1', [first.ms], cpu([first])),
      row(
        `cold: pgphase plan (embedded PostgreSQL started from the cache) ×${COLD}`,
        cold.proof.map((r) => r.ms),
        cpu(cold.proof),
      ),
      row(
        `cold: pgphase plan --no-prove ×${COLD}`,
        cold.baseline.map((r) => r.ms),
        cpu(cold.baseline),
      ),
      row(`warm: plan() with the proof, server up ×${RUNS}`, warm.proof),
      row(`warm: plan() without ×${RUNS}`, warm.baseline),
    ],
  ),
);
console.log(
  `\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}; load average ${loadavg()[0].toFixed(2)} after`,
);
