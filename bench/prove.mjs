#!/usr/bin/env node
// Proof benchmark: what proving a plan costs. A history of 8 migrations (written here: tables,
// a foreign key, an index) and a rename-column migration on top, planned with --history:
//   - cold: `node bin/pgphase.js plan … ` as a user runs it, the embedded PostgreSQL started
//     and stopped inside; next to the same command with --no-prove (the baseline);
//   - warm: plan() in one process whose shadow server is already up, next to plan() without
//     the proof, alternated --runs times (default 10).
// Run: `npm run build && node bench/prove.mjs [--runs N] [--cold-runs N] [--quick]`
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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
files.forEach((sql, i) => writeFileSync(join(history, `${String(i + 1).padStart(3, '0')}_step.sql`), `${sql};\n`));
const migration = join(history, '009_rename_handle.sql');
writeFileSync(migration, 'ALTER TABLE members RENAME COLUMN handle TO display_name;\n');

function cli(extra) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'pgphase.js'), 'plan', migration, '--history', history, '--out', join(dir, 'cli'), '--force', ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`plan failed: ${r.stderr}`);
  return { ms: performance.now() - t, out: r.stdout };
}

const cold = { proof: [], baseline: [] };
let line = '';
for (let i = 0; i < COLD; i++) {
  const p = cli([]);
  cold.proof.push(p.ms);
  line = p.out.split('\n').find((l) => l.startsWith('proven') || l.startsWith('proof')) ?? '';
  cold.baseline.push(cli(['--no-prove']).ms);
}
const warm = { proof: [], baseline: [] };
try {
  await plan({ file: migration, history, out: join(dir, 'warm'), force: true, prove: true }); // starts the shared server
  for (let i = 0; i < RUNS; i++) {
    warm.proof.push((await timed(() => plan({ file: migration, history, out: join(dir, 'warm'), force: true, prove: true }))).ms);
    warm.baseline.push((await timed(() => plan({ file: migration, history, out: join(dir, 'warm'), force: true }))).ms);
  }
} finally {
  await stopShadowServer();
  rmSync(dir, { recursive: true, force: true });
}

const row = (name, values) => [name, ms(stats(values).p50), ms(stats(values).max)];
console.log(`proof of a rename-column plan over a ${files.length}-migration history: ${line}\n`);
console.log(
  table(
    ['', 'p50', 'max'],
    [
      row(`cold: pgphase plan (embedded PostgreSQL started) ×${COLD}`, cold.proof),
      row(`cold: pgphase plan --no-prove ×${COLD}`, cold.baseline),
      row(`warm: plan() with the proof, server up ×${RUNS}`, warm.proof),
      row(`warm: plan() without ×${RUNS}`, warm.baseline),
    ],
  ),
);
console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}; load average ${loadavg()[0].toFixed(2)} after`);
