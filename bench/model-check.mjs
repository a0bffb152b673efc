#!/usr/bin/env node
// Model check benchmark: what the check that every plan runs (src/plan/model-check.ts) costs,
// next to the rest of planning in the same loop. A generated history of 100 migrations (tables,
// foreign keys, indexes, views, enums, trigger functions and triggers) and a 50-statement
// migration over it that plans into all four phases (renames, type changes, new NOT NULL
// columns, indexes, constraints, data changes, drops). Per run, alternating:
//   - baseline: the history replayed into the schema model, the migration planned and rendered;
//   - the model check alone: the migration replayed as written and the plan replayed, compared.
// No database. Run: `npm run build && node bench/model-check.mjs [--runs N] [--quick]`.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { count, ms, ROOT, stats, table } from './lib.mjs';

const { values: opts } = parseArgs({
  options: { runs: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const RUNS = count(opts.runs, 'runs', opts.quick ? 20 : 100);
const WARMUP = 5;
const load = (path) => import(pathToFileURL(join(ROOT, 'dist', 'src', path)).href);
const { loadParser, parseSource } = await load('sql/source.js');
const { replay, SchemaModel } = await load('schema/model.js');
const { plan } = await load('plan/planner.js');
const { renderPlan } = await load('plan/render.js');
const { modelCheck } = await load('plan/model-check.js');

const TABLES = 30;
const name = (i) => `t${String(i).padStart(2, '0')}`;

/** 100 migrations: 30 tables, then per table an index, a foreign key and a column; views, an enum, triggers. */
function history() {
  const files = [];
  files.push(
    `CREATE TYPE mood AS ENUM ('ok', 'meh');\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';`,
  );
  for (let i = 1; i <= TABLES; i++)
    files.push(
      `CREATE TABLE ${name(i)} (id bigint PRIMARY KEY, parent_id bigint, name text NOT NULL, note text, score int DEFAULT 0, mood mood, created_at timestamptz DEFAULT now());`,
    );
  for (let i = 1; i <= TABLES; i++)
    files.push(
      `CREATE INDEX ${name(i)}_name_idx ON ${name(i)} (name);\nALTER TABLE ${name(i)} ADD CONSTRAINT ${name(i)}_score_check CHECK (score >= 0);`,
    );
  for (let i = 2; i <= TABLES; i++)
    files.push(
      `ALTER TABLE ${name(i)} ADD CONSTRAINT ${name(i)}_parent_fkey FOREIGN KEY (parent_id) REFERENCES ${name(i - 1)} (id);`,
    );
  for (let i = 1; files.length < 100; i++) {
    files.push(
      i % 2
        ? `CREATE VIEW v${i} AS SELECT id, name FROM ${name(i)};`
        : `CREATE TRIGGER ${name(i)}_touch BEFORE UPDATE ON ${name(i)} FOR EACH ROW EXECUTE FUNCTION touch();\nALTER TABLE ${name(i)} ADD COLUMN extra text;`,
    );
  }
  return files;
}

/** 50 statements over tables the views do not read. */
function migration() {
  const statements = [];
  for (let i = 20; statements.length < 50; i++) {
    const t = name(((i - 20) % 11) + 20);
    const round = Math.floor((i - 20) / 11);
    const pick = [
      `ALTER TABLE ${t} ADD COLUMN c${i} text;`,
      `CREATE INDEX ${t}_score_${i} ON ${t} (score);`,
      `ALTER TABLE ${t} ADD COLUMN r${i} int NOT NULL DEFAULT 0;`,
      `UPDATE ${t} SET note = 'x' WHERE note IS NULL;`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${t}_name_${i}_check CHECK (length(name) > 0);`,
    ][round % 5];
    statements.push(pick);
  }
  statements.splice(10, 1, `ALTER TABLE ${name(21)} RENAME COLUMN note TO remark;`);
  statements.splice(20, 1, `ALTER TABLE ${name(22)} ALTER COLUMN score TYPE bigint;`);
  statements.splice(30, 1, `ALTER TABLE ${name(23)} ALTER COLUMN note SET NOT NULL;`);
  statements.splice(40, 1, `ALTER TABLE ${name(24)} DROP COLUMN created_at;`);
  return statements.join('\n');
}

await loadParser();
const sources = history().map((sql, i) => parseSource(`${String(i + 1).padStart(3, '0')}.sql`, sql));
const text = migration();
const source = parseSource('101_change.sql', text);

function baseline() {
  const schema = new SchemaModel();
  for (const s of sources) replay(s, schema);
  const start = schema.clone();
  const planned = plan({ source, schema, pgVersion: 15, allowUnsafe: false });
  const rendered = renderPlan(planned, {
    id: 'bench',
    source: { path: '101_change.sql', text },
    pgVersion: 15,
    batchSize: 1000,
    lockTimeout: '2s',
  });
  return { start, planned, rendered };
}

const first = baseline();
if (first.planned.refusals.length)
  throw new Error(`bench: the migration is refused: ${first.planned.refusals.map((r) => r.reason).join('; ')}`);
const differences = modelCheck(first.rendered.manifest.phases, first.start, source);
if (differences.length) throw new Error(`bench: the plan fails its model check: ${differences.join('; ')}`);
const steps = first.rendered.manifest.phases.reduce((n, p) => n + p.steps.length, 0);

const times = { baseline: [], check: [] };
for (let run = 0; run < WARMUP + RUNS; run++) {
  let t = performance.now();
  const { start, rendered } = baseline();
  const planning = performance.now() - t;
  t = performance.now();
  modelCheck(rendered.manifest.phases, start, source);
  const checking = performance.now() - t;
  if (run >= WARMUP) {
    times.baseline.push(planning);
    times.check.push(checking);
  }
}

const [b, c] = [stats(times.baseline), stats(times.check)];
console.log(
  `model check: ${sources.length}-migration history, ${source.statements.length}-statement migration → ${first.rendered.manifest.phases.map((p) => p.name).join(', ')} (${steps} steps); ${RUNS} runs after ${WARMUP} warm-ups`,
);
console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
console.log(
  table(
    ['measured', 'p50', 'p99', 'max'],
    [
      ['baseline: history replayed, migration planned and rendered', ms(b.p50), ms(b.p99), ms(b.max)],
      ['model check alone', ms(c.p50), ms(c.p99), ms(c.max)],
    ],
  ),
);
console.log(`\nthe check adds ${((c.p50 / b.p50) * 100).toFixed(0)}% to planning (p50)`);
