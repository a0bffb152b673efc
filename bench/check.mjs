#!/usr/bin/env node
// Check benchmark: `pgphase check` of a typical plan (a required column: expand, backfill,
// contract, so 4 points) over 1,000 queries of the shop application (fixtures/check/shop: its
// 200 queries, each also under 4 distinct WITH heads), on the shop's history:
//   - cold: `node bin/pgphase.cjs check … --format json` as a user runs it, the embedded
//     PostgreSQL started and stopped inside (its start cost read from the report's timing);
//   - warm: the same command with --shadow-url (the bench server), no server to start;
//   - baseline, in the same loop: the floor of the work, a bare PREPARE + DEALLOCATE of every
//     query once on one connection of the bench server, × 4 points.
// Goal: the whole cold check under 10 s on this machine, shadow start included.
// Run: `npm run build && node bench/check.mjs [--runs N] [--quick]`
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, count, flags, ms, pgphase, ROOT, stats, table, timed, withScratchDatabase } from './lib.mjs';

const opts = flags({ runs: { type: 'string' } });
const RUNS = count(opts.runs, 'runs', opts.quick ? 2 : 5);
const QUERIES = 1000;
const adminUrl = opts['database-url'];
const { plan } = await pgphase();

const shop = join(ROOT, 'fixtures', 'check', 'shop');
const dir = mkdtempSync(join(tmpdir(), 'pgphase-bench-check-'));
mkdirSync(join(dir, 'db'));
copyFileSync(join(shop, 'migrations', '0001_init.sql'), join(dir, 'db', '0001_init.sql'));
writeFileSync(
  join(dir, 'db', '0002_channel.sql'),
  "ALTER TABLE orders ADD COLUMN channel text;\nUPDATE orders SET channel = 'web';\nALTER TABLE orders ALTER COLUMN channel SET NOT NULL;\n",
);

// 1,000 distinct statements: the 200, then each under WITH heads k1 … (a statement that has its own WITH is taken once)
const base = readFileSync(join(shop, 'queries.sql'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('--'))
  .map((l) => l.replace(/;$/, ''));
const queries = [...base];
for (let k = 1; queries.length < QUERIES; k++)
  for (const q of base)
    if (queries.length < QUERIES && !/^WITH\b/i.test(q)) queries.push(`WITH k${k} AS (SELECT ${k}) ${q}`);
writeFileSync(join(dir, 'queries.sql'), `${queries.join(';\n')};\n`);
await plan({ file: 'db/0002_channel.sql', history: 'db', cwd: dir });

function check(extra) {
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'pgphase.cjs'),
      'check',
      'db/0002_channel',
      '--queries',
      'queries.sql',
      '--format',
      'json',
      ...extra,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`bench: check exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const result = JSON.parse(r.stdout);
  if (result.sets.old.checked !== QUERIES)
    throw new Error(`bench: ${result.sets.old.checked} of ${QUERIES} queries checked`);
  return { wall, result };
}

/** The floor: every query PREPAREd and DEALLOCATEd once per point, one connection, nothing else. */
async function floor(url, points) {
  const db = await client(url);
  try {
    return (
      await timed(async () => {
        for (let p = 0; p < points; p++)
          for (const q of queries) await db.query(`PREPARE bench AS ${q}; DEALLOCATE bench`);
      })
    ).ms;
  } finally {
    await db.end();
  }
}

const runs = {
  cold: [],
  coldStart: [],
  coldSteps: [],
  coldCheck: [],
  warm: [],
  warmCheck: [],
  perQueryPoint: [],
  floor: [],
};
let points = 0;
try {
  await withScratchDatabase(adminUrl, async (scratchUrl) => {
    const db = await client(scratchUrl);
    await db.query(readFileSync(join(shop, 'migrations', '0001_init.sql'), 'utf8'));
    await db.end();
    for (let i = 0; i < RUNS; i++) {
      const cold = check([]);
      points = cold.result.points.length;
      runs.cold.push(cold.wall);
      runs.coldStart.push(cold.result.timing.shadowStartMs);
      runs.coldSteps.push(cold.result.timing.schemaMs + cold.result.timing.stepsMs);
      runs.coldCheck.push(cold.result.timing.checkMs);
      const warm = check(['--shadow-url', adminUrl]);
      runs.warm.push(warm.wall);
      runs.warmCheck.push(warm.result.timing.checkMs);
      runs.perQueryPoint.push(warm.result.timing.perQueryPointMs);
      runs.floor.push(await floor(scratchUrl, points));
    }
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const row = (name, values) => [name, ms(stats(values).p50), ms(stats(values).max)];
console.log(
  `pgphase check: ${QUERIES.toLocaleString('en')} queries × ${points} points (a required-column plan: expand, backfill, contract), ${RUNS} runs\n`,
);
console.log(
  table(
    ['', 'p50', 'max'],
    [
      row('cold: whole command, embedded PostgreSQL started', runs.cold),
      row('cold: of which the shadow start', runs.coldStart),
      row('cold: of which the history and the phases', runs.coldSteps),
      row('cold: of which the queries × points', runs.coldCheck),
      row('warm: whole command, --shadow-url', runs.warm),
      row('warm: of which the queries × points', runs.warmCheck),
      row('warm: per query per point (PREPARE + EXPLAIN)', runs.perQueryPoint),
      row(`baseline: bare PREPARE + DEALLOCATE × ${points} points, one connection`, runs.floor),
    ],
  ),
);
const goal = stats(runs.cold).p50 < 10_000 ? 'met' : 'NOT met';
console.log(`\ngoal (whole cold check under 10 s): ${goal}`);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}; load average ${loadavg()[0].toFixed(2)} after (other work on the machine moves these figures)`,
);
