// A plan's proof as plan.json and the plan's README record it, and what it says: data only (the
// proof itself runs on a shadow database, src/shadow/prove.ts).
import { readFile, writeFile } from '../files.js';
import { join } from 'node:path';
import { readManifest, type Manifest } from './manifest.js';

/**
 * What plan.json records of a proof. result 'equal': the plan gives the migration's schema and
 * rows; 'differs' / 'failed': it does not (a planner bug); 'unproven': the shadow database could
 * not run the migration itself. `tables` and `rows`: the generated rows; `undone`: the phases
 * run, undone by their down file and run again; `differences`: one line each.
 */
export type Proof = NonNullable<Manifest['proof']>;

/** One line for the terminal and the plan's README. */
export function describeProof(proof: Proof): string {
  const q = proof.queries;
  const what = [
    `${proof.rows} generated row${proof.rows === 1 ? '' : 's'} in ${proof.tables} table${proof.tables === 1 ? '' : 's'}${proof.fewerRows ? `, since ${proof.fewerRows}` : ''}`,
    ...(q
      ? [
          `${q.v} V quer${q.v === 1 ? 'y' : 'ies'} until contract, ${q.v1} V+1 quer${q.v1 === 1 ? 'y' : 'ies'} ${q.v1After ? `from after ${q.v1After}` : 'from the start'}`,
        ]
      : []),
    ...(proof.undone.length ? [`${proof.undone.join(', ')} undone and run again`] : []),
  ].join('; ');
  if (proof.result === 'equal')
    return `proven on PostgreSQL ${proof.postgres}: ${q ? 'schema and rows equal, V and V+1 queries pass at every phase' : "schema and rows equal to the migration's"} (${what})`;
  if (proof.result === 'unproven') return `not proven on PostgreSQL ${proof.postgres}: ${proof.differences[0]}`;
  return `proof failed on PostgreSQL ${proof.postgres}: ${proof.result === 'failed' ? 'a phase or a query failed' : "the plan's result differs from the migration's"} (${what}): ${proof.differences.slice(0, 5).join('; ')}`;
}

/** A proof that shows the plan is wrong: it is not written without --allow-unsafe. */
export function disproves(proof: Proof): boolean {
  return proof.result === 'failed' || proof.result === 'differs';
}

/** What the README says of the queries a proof ran. */
function queriesRun(proof: Proof): string {
  const q = proof.queries;
  if (!q) return '';
  return ` The generated queries of the old application (V: ${q.v}, on the tables the migration changes: an INSERT of every column, an INSERT of the required ones, an UPDATE of the row and a SELECT finding what it wrote) ran before the first phase and after every phase before contract; those of the new one (V+1: ${q.v1}, the same on the migration's schema) ${q.v1After ? `after ${q.v1After}, where it is deployed,` : 'before the first phase'} and after every later phase; each in a transaction rolled back.`;
}

/** Writes the proof into the plan directory's plan.json and README.md (replacing an earlier one). */
export async function recordProof(dir: string, proof: Proof): Promise<void> {
  const manifest = readManifest(dir);
  await writeFile(join(dir, 'plan.json'), `${JSON.stringify({ ...manifest, proof }, null, 2)}\n`);
  // the proof fires the application's triggers on the backfills, as the migration as written fires them
  const keptFromFiring = manifest.phases
    .flatMap((p) => p.backfills ?? [])
    .filter((b) => b.triggers?.length && !b.fireTriggers);
  const triggers = keptFromFiring.length
    ? ` The backfills ran with the application's triggers firing (${[...new Set(keptFromFiring.flatMap((b) => b.triggers!))].map((t) => `\`${t}\``).join(', ')}), as the migration as written fires them; \`pgphase run\` keeps them from firing unless \`--backfill-triggers fire\`, so what they write (an audit row, a stamp) is not written then.`
    : '';
  const readme = (await readFile(join(dir, 'README.md'), 'utf8')).replace(/\n## Proof\n[\s\S]*$/, '\n');
  const lines = [
    '## Proof',
    '',
    `${describeProof(proof)}.`,
    '',
    `On a shadow PostgreSQL ${proof.postgres}, the starting schema (${proof.start === 'empty' ? 'empty' : `from the ${proof.start}`}) got ${proof.rows} generated rows; on one copy the migration ran as written, on another the plan phase by phase through \`pgphase run\`${proof.undone.length ? ` (${proof.undone.join(', ')} also undone by its down file and run again)` : ''}. Compared: tables, columns, constraints, indexes, views, triggers, functions and types, and every table's rows.${triggers}${queriesRun(proof)} \`pgphase prove <plan-dir>\` runs it again.`,
    ...(proof.differences.length ? ['', ...proof.differences.map((d) => `- ${d}`)] : []),
    ...(proof.skipped.length
      ? ['', 'Rows and queries not generated or not run:', '', ...proof.skipped.map((d) => `- ${d}`)]
      : []),
  ];
  await writeFile(join(dir, 'README.md'), `${readme.trimEnd()}\n\n${lines.join('\n')}\n`);
}
