// The differential test of the planner over a whole migration history: for every migration,
// the plan made from the history and the plan made from a live database at the same point
// must be the same bytes, and the plan must prove itself on the shadow database (migration
// as written vs plan phase by phase: same catalog, same rows). The history's state is kept in
// one database that each migration is applied to as written, so nothing is built twice.
import { mkdtemp, rm } from './files.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverSet, Discovery } from './discover/index.js';
import { PgphaseError } from './errors.js';
import { plan } from './index.js';
import { PlanRefused } from './errors.js';
import { prove } from './shadow/prove.js';
import { applyFile, prepareForTool } from './shadow/apply.js';
import { Shadow, shadowServer } from './shadow/server.js';

export type OutcomeKind =
  | 'equal'
  | 'refused'
  | 'failed'
  | 'differs'
  | 'unproven'
  | 'nondeterministic'
  | 'crashed'
  | 'nothing to plan'
  | 'history broken';

export interface Outcome {
  /** The migration, relative to the history's directory. */
  file: string;
  kind: OutcomeKind;
  /** Why, one line each (the refusal, the difference, the error). */
  details: string[];
}

/** A refusal's reason without its place and names, to count refusals by reason. */
export function refusalReason(message: string): string {
  // "cannot plan this migration safely: <file>:<line>:<column>: <reason>. <file>…. Change the migration, or …"
  const reasons = message
    .replace(/^cannot plan this migration safely: /, '')
    .replace(/\. Change the migration, or .*$/, '');
  return reasons
    .split(/\. (?=\S*:\d+:\d+: )/)[0]!
    .replace(/^.*?:\d+:\d+: /, '')
    .replace(/"(?:[^"]|"")*"/g, '"…"')
    .replace(/\b\d+\b/g, 'N');
}

function outcomeOf(kind: OutcomeKind, file: string, details: string[] = []): Outcome {
  return { file, kind, details };
}

export interface DifferentialOptions {
  /** The history's directory (any layout pgphase discovers). */
  dir: string;
  /** The server for shadow databases; default: one embedded PostgreSQL per process. */
  shadowUrl?: string;
  /** Only the last this many migrations are planned; the earlier ones are only applied. */
  last?: number;
  /** Called after each migration. */
  onOutcome?: (outcome: Outcome) => void;
}

/** Runs the differential over every migration of the history in `dir`, in order. */
export async function differential(options: DifferentialOptions): Promise<Outcome[]> {
  const dir = resolve(options.dir);
  const discovery = new Discovery(dir);
  const set = await discoverSet(dir, undefined, discovery);
  const server = await shadowServer(options.shadowUrl);
  const shadow = await Shadow.open(server);
  const work = await mkdtemp(join(tmpdir(), 'pgphase-differential-'));
  const outcomes: Outcome[] = [];
  const report = (o: Outcome) => {
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  try {
    const state = await shadow.create('history');
    await prepareForTool(state.url, set.layout);
    let broken: string | undefined;
    const first = set.files.length - (options.last ?? set.files.length);
    for (const [i, file] of set.files.entries()) {
      const rel = discovery.display(file.absPath);
      if (broken !== undefined) {
        if (i >= first) report(outcomeOf('history broken', rel, [broken]));
        continue;
      }
      if (i >= first) report(await one(file.absPath, rel, dir, state, shadow, work));
      try {
        await applyFile(state.url, { ...file, path: rel });
      } catch (error) {
        broken = (error as Error).message;
      }
    }
  } finally {
    await shadow.close();
    await rm(work, { recursive: true, force: true });
  }
  return outcomes;
}

async function one(
  file: string,
  rel: string,
  dir: string,
  state: { name: string; url: string },
  shadow: Shadow,
  work: string,
): Promise<Outcome> {
  const out = join(work, 'history');
  let fromHistory: Awaited<ReturnType<typeof plan>>;
  try {
    fromHistory = await plan({ file, history: dir, out, force: true, cwd: dir, emit: 'plan' });
  } catch (error) {
    if (error instanceof PlanRefused) return outcomeOf('refused', rel, [refusalReason(error.message)]);
    if (error instanceof PgphaseError && /nothing to plan/.test(error.message))
      return outcomeOf('nothing to plan', rel);
    return outcomeOf('crashed', rel, [(error as Error).message]);
  }
  const fromDatabase = await plan({
    file,
    databaseUrl: state.url,
    out: join(work, 'database'),
    force: true,
    cwd: dir,
    emit: 'plan',
  }).catch((error: Error) => error);
  if (fromDatabase instanceof Error)
    return outcomeOf('nondeterministic', rel, [
      `planned from the history, but from the live database: ${fromDatabase.message}`,
    ]);
  const differing = [...fromHistory.files.keys()].filter(
    (name) => fromHistory.files.get(name) !== fromDatabase.files.get(name),
  );
  if (differing.length)
    return outcomeOf('nondeterministic', rel, [`--history and --database-url plans differ in ${differing.join(', ')}`]);
  const proof = await prove({
    planDir: out,
    file,
    start: { history: dir },
    startDatabase: state.name,
    shadow,
    cwd: dir,
  });
  return outcomeOf(proof.result, rel, proof.differences);
}
