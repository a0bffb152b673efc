#!/usr/bin/env node
// Precision on real histories: lints each public history of bench/corpus.json found in the cache
// (scripts/corpus.mjs extracts them), as a new user would (the layout detected, no config), and
// prints per history the files, the findings by severity, the down files it linted (must be 0),
// and the share of true error findings on a sample of 30, judged by hand in
// bench/precision-judgement.json. The rule of judgement is written in that file.
// The sample: a history's error findings ordered by fingerprint (a hash of rule, file, statement
// and message, stable across line moves), the first 30.
// Run: `npm run build && node bench/precision.mjs [name …]`; `--unjudged` prints the sampled
// findings that have no judgement yet, with their statements, for judging.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint } from '../dist/src/index.js';
import { discoverSet } from '../dist/src/discover/index.js';
import { cachedHistories, HISTORIES } from '../scripts/corpus.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const JUDGEMENT = join(ROOT, 'bench', 'precision-judgement.json');
const SAMPLE = 30;
const GOAL = 0.95;
// the names every layout gives a down (rollback, undo) file
const DOWN = /(^|[._-])down(\.[a-z]+)?\.sql$|\.rollback\.sql$|^U\d[^/]*__.*\.sql$/i;

const args = process.argv.slice(2);
const unjudged = args.includes('--unjudged');
const only = args.filter((a) => !a.startsWith('--'));
const judgement = JSON.parse(readFileSync(JUDGEMENT, 'utf8'));

/** The statement a finding points at, from its first to its last line. */
function statementText(text, location) {
  return text
    .split('\n')
    .slice(location.line - 1, location.endLine)
    .join('\n');
}

function fingerprint(rule, file, statement, message) {
  return createHash('sha256')
    .update([rule, file, statement.replace(/\s+/g, ' ').trim(), message].join('\0'))
    .digest('hex')
    .slice(0, 16);
}

const cached = cachedHistories().filter((h) => only.length === 0 || only.includes(h.name));
if (cached.length === 0) {
  console.log(`skipped: no corpus at ${HISTORIES} (run node scripts/corpus.mjs)`);
  process.exit(0);
}

const rows = [];
let failed = false;
for (const history of cached) {
  const judged = judgement.histories[history.name] ?? {};
  const set = await discoverSet(history.dir);
  const { result, sources } = await lint({ paths: [history.dir], cwd: history.dir });
  const findings = result.files.flatMap((f) =>
    f.findings.map((x) => ({ ...x, file: relative(history.dir, join(history.dir, f.path)) })),
  );
  const bySeverity = { error: 0, warning: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const downLinted = result.files.filter((f) => DOWN.test(basename(f.path))).length;
  if (downLinted > 0) failed = true;

  const errors = findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const text = sources.get(f.file) ?? readFileSync(join(history.dir, f.file), 'utf8');
      const statement = statementText(text, f.location);
      return { ...f, statement, id: fingerprint(f.rule, f.file, statement, f.message) };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sample = errors.slice(0, SAMPLE);
  const verdicts = sample.map((f) => judged[f.id]?.true);
  const judgedCount = verdicts.filter((v) => v !== undefined).length;
  const trueCount = verdicts.filter((v) => v === true).length;
  rows.push({
    name: history.name,
    layout: `${history.layout}${set.layout === history.layout ? '' : ` (read as ${set.layout})`}`,
    files: result.files.length,
    errors: bySeverity.error,
    warnings: bySeverity.warning,
    downLinted,
    sample: sample.length,
    judged: judgedCount,
    trueShare: judgedCount ? trueCount / judgedCount : undefined,
  });
  if (unjudged) {
    for (const f of sample.filter((x) => judged[x.id] === undefined)) {
      console.log(
        `\n### ${history.name} ${f.id} ${f.file}:${f.location.line}:${f.location.column} ${f.rule}\n${f.message}\n${f.statement.split('\n').slice(0, 12).join('\n')}`,
      );
    }
  }
}

const pct = (x) => (x === undefined ? '–' : `${(100 * x).toFixed(0)}%`);
console.log('\n| history | layout | files | errors | warnings | down files linted | errors sampled | judged | true |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.layout} | ${r.files} | ${r.errors} | ${r.warnings} | ${r.downLinted} | ${r.sample} | ${r.judged} | ${pct(r.trueShare)} |`,
  );
const all = rows.reduce((a, r) => ({ judged: a.judged + r.judged, true: a.true + (r.trueShare ?? 0) * r.judged }), {
  judged: 0,
  true: 0,
});
console.log(
  `\nall sampled error findings judged true: ${pct(all.judged ? all.true / all.judged : undefined)} of ${all.judged} (goal ${pct(GOAL)})`,
);
if (failed) {
  console.error('precision: down files were linted as forward migrations');
  process.exitCode = 1;
}
