// The plan's model check, on the schema model alone (no database): the plan's steps and
// backfills, replayed over the starting schema in the order the runner executes them, must be
// valid where they run and must leave the schema the migration leaves when replayed as written.
// A difference is a planner bug: `plan` refuses (or, with --allow-unsafe, records it).
import { normalizeStatement } from '../sql/normalize.js';
import { parseSource, type SourceFile, type Statement } from '../sql/source.js';
import { schemaDifferences, type SchemaModel } from '../schema/model.js';
import { backfillStatement } from './batch.js';
import { phaseWork } from './render.js';
import type { PhaseName } from './types.js';

/** A phase as plan.json holds it: what the check reads of it. */
export interface CheckedPhase {
  name: PhaseName;
  steps: Array<{ id: string; sql: string }>;
  backfills?: Array<Parameters<typeof backfillStatement>[0] & { afterSteps?: number }>;
}

/** One piece of the plan's work as SQL, with the place a difference found in it is reported at. */
interface Work {
  phase: PhaseName;
  where: string;
  sql: string;
}

/**
 * The statements of each piece of work. One parse of all of them, cut at the pieces' byte offsets
 * (a parse per piece costs more than the rest of the check); a piece that does not parse is parsed
 * alone, so that the failure names it.
 */
function statementsOf(work: Work[]): Array<Statement[] | string> {
  const starts: number[] = [];
  let bytes = 0;
  for (const w of work) {
    starts.push(bytes);
    bytes += Buffer.byteLength(w.sql) + 3;
  }
  // each piece ends on a line of its own: one ending in a -- comment keeps its statement apart
  const all = parseSource('plan', work.map((w) => `${w.sql}\n;\n`).join(''));
  if (all.syntaxError) {
    return work.map((w) => {
      const one = parseSource(w.where, w.sql);
      return one.syntaxError?.message ?? one.statements;
    });
  }
  const out: Statement[][] = work.map(() => []);
  let piece = 0;
  for (const statement of all.statements) {
    while (piece + 1 < starts.length && statement.start >= starts[piece + 1]!) piece++;
    out[piece]!.push(statement);
  }
  return out;
}

/**
 * The differences between the plan and the migration, one line each, naming where they are
 * ("step expand:as-written-2: constraint … already exists", "after contract, index … is
 * missing"); none for a plan that does what the migration does. `start` is left as it is;
 * `afterPhase` is shown the model as each phase leaves it (it changes after the call).
 */
export function modelCheck(
  phases: readonly CheckedPhase[],
  start: SchemaModel,
  source: SourceFile,
  afterPhase?: (phase: PhaseName, model: SchemaModel) => void,
): string[] {
  // The migration as written: its result, and what the model finds wrong in it. Those problems are
  // the migration's own (or things the model does not know, such as a live database's triggers),
  // not the plan's: the plan may meet each of them as often as the migration does.
  const expected = start.clone();
  const own = new Map<string, number>();
  for (const statement of source.statements) {
    for (const change of normalizeStatement(statement)) {
      const problem = expected.check(change);
      if (problem) own.set(problem.key, (own.get(problem.key) ?? 0) + 1);
      expected.apply(change);
    }
  }

  const work: Work[] = [];
  for (const phase of phases) {
    for (const piece of phaseWork(phase)) {
      if ('step' in piece) work.push({ phase: phase.name, where: `step ${piece.step.id}`, sql: piece.step.sql });
      else {
        work.push({
          phase: phase.name,
          where: `${phase.name}, backfill ${piece.backfill + 1}`,
          sql: backfillStatement(phase.backfills![piece.backfill]!),
        });
      }
    }
  }
  const actual = start.clone();
  const differences: string[] = [];
  const parsed = statementsOf(work);
  parsed.forEach((statements, i) => {
    // a statement's sub-commands may meet the same problem: said once
    const report = (message: string) => {
      const line = `${work[i]!.where}: ${message}`;
      if (differences[differences.length - 1] !== line) differences.push(line);
    };
    if (typeof statements === 'string') report(`does not parse: ${statements}`);
    else {
      for (const statement of statements) {
        for (const change of normalizeStatement(statement)) {
          const problem = actual.check(change);
          const left = problem ? (own.get(problem.key) ?? 0) : 0;
          if (problem && left > 0) own.set(problem.key, left - 1);
          else if (problem) report(problem.message);
          actual.apply(change);
        }
      }
    }
    if (work[i + 1]?.phase !== work[i]!.phase) afterPhase?.(work[i]!.phase, actual);
  });
  const last = phases[phases.length - 1]?.name ?? 'the plan';
  return [...differences, ...schemaDifferences(expected, actual).map((d) => `after ${last}, ${d}`)];
}
