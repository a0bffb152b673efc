// The proof of a plan on a shadow database: the starting schema built for real (the history
// run as its tool runs it, a schema dump, or the schema read from a live database), a few
// generated rows in every table, then the migration as written on a copy and the plan phase
// by phase through the runner on the original (each phase with a down file run, undone and
// run again). The two must end with the same catalog and the same rows, and the queries of the
// old and the new application (generated, src/shadow/queries.ts) must work at every phase where
// that version runs (RECIPES.md): V until contract, V+1 from its deploy point on.
import { readFile } from '../files.js';
import { resolve } from 'node:path';
import { Discovery, fileInSet, type MigrationFile } from '../discover/index.js';
import { InputError, PgphaseError } from '../errors.js';
import {
  catalog,
  catalogDiff,
  maskRows,
  sharedAlike,
  projectRows,
  rowsDiff,
  tableRows,
  varyingColumns,
  type Catalog,
  type Rows,
} from './catalog.js';
import { applyFile, buildStart, type ShadowStart } from './apply.js';
import { appQueries, describeFailure, queryCount, runQueries, without, type AppQueries } from './queries.js';
import { generateRows, highest, tables, type GeneratedRows, type Table } from './rows.js';
import { Shadow, shadowServer } from './server.js';
import { connect } from '../runner/connect.js';
import { readManifest, type Manifest } from '../plan/manifest.js';
import { recordProof, type Proof } from '../plan/proof.js';
import { sha256 } from '../plan/render.js';
import type pg from 'pg';
import type { PhaseName } from '../plan/types.js';

export interface ProveOptions {
  planDir: string;
  /** The migration file the plan was made from. */
  file: string;
  start: ShadowStart;
  /** A server to make the shadow databases on; default: an embedded PostgreSQL, one per process. */
  shadowUrl?: string;
  /** Shadow databases to make the proof's databases with (each proof drops its own; the caller closes it). */
  shadow?: Shadow;
  /** A database of the shadow server already holding the starting schema (`start` then only names how it was built). */
  startDatabase?: string;
  cwd?: string;
}

/** A state of a shadow database for comparing. */
interface Snapshot {
  catalog: Catalog;
  rows: Rows;
}

/** `mutable`: whether each default expression seen is mutable, the same in every database of one proof. */
async function snapshotOf(client: pg.ClientBase, mutable: Map<string, boolean>): Promise<Snapshot> {
  return { catalog: await catalog(client), rows: await tableRows(client, mutable) };
}

async function snapshot(url: string, mutable: Map<string, boolean>): Promise<Snapshot> {
  const client = await connect(url);
  return snapshotOf(client, mutable).finally(() => client.end());
}

function differences(expected: Snapshot, actual: Snapshot, label: string): string[] {
  return [...catalogDiff(expected.catalog, actual.catalog), ...rowsDiff(expected.rows, actual.rows)].map(
    (d) => `${label}: ${d}`,
  );
}

/** The migration as its tool would run it: the forward text and transaction model of its layout. */
async function migrationFile(file: string, cwd: string): Promise<Pick<MigrationFile, 'path' | 'text' | 'transaction'>> {
  const found = await fileInSet(file, undefined, new Discovery(cwd)).catch(() => undefined);
  if (found) return { path: file, text: found.file.text, transaction: found.file.transaction };
  return { path: file, text: await readFile(resolve(cwd, file), 'utf8'), transaction: 'none' };
}

function startKind(start: ShadowStart): Proof['start'] {
  return start.schemaFile !== undefined
    ? 'schema'
    : start.databaseUrl !== undefined
      ? 'database'
      : start.history !== undefined
        ? 'history'
        : 'empty';
}

/** The applications' queries a proof runs: V's, V+1's, and the phase V+1 is deployed after (none: from the start). */
interface Apps {
  v: AppQueries;
  v1: AppQueries;
  v1After: PhaseName | undefined;
}

/** The phase V+1 may be deployed after (RECIPES.md): trigger, else expand; undefined: before the first phase. */
function deployPoint(manifest: Manifest): PhaseName | undefined {
  const names = manifest.phases.map((p) => p.name);
  return names.includes('trigger') ? 'trigger' : names.includes('expand') ? 'expand' : undefined;
}

/**
 * V's and V+1's queries on the tables the migration changes (their shape or their rows): V's
 * from the starting schema (`before`), V+1's from the migration's result (`after`). A query that
 * fails where its own version runs (V before the migration, V+1 after it as written) is left
 * out and named: it says nothing about the plan.
 */
async function appsOf(
  before: pg.Client,
  after: pg.Client,
  initial: Snapshot,
  expected: Snapshot,
  manifest: Manifest,
): Promise<{ apps: Apps; skipped: string[] }> {
  const [v, v1] = [await tables(before), await tables(after)];
  const changed = (own: Table[], other: Table[]) => {
    const shapes = new Map(other.map((t) => [t.label, t.shape]));
    return new Set(
      own
        .filter(
          (t) =>
            shapes.get(t.label) !== t.shape ||
            JSON.stringify(initial.rows[t.label]) !== JSON.stringify(expected.rows[t.label]),
        )
        .map((t) => t.label),
    );
  };
  const skipped: string[] = [];
  const valid = async (client: pg.Client, app: AppQueries, where: string) => {
    const failures = await runQueries(client, app);
    skipped.push(
      ...app.skipped,
      ...failures.map((f) => `${app.name}: ${describeFailure(f)} (fails ${where} too: not run)`),
    );
    return without(app, failures);
  };
  // generated values that break a rule the migration adds (a check, a trigger that validates
  // what is written) fail after the migration as written too: they say nothing of the plan
  const withinRules = async (app: AppQueries) => {
    const broken = (await runQueries(after, app)).filter((f) => f.code !== undefined && BREAKS_A_RULE.test(f.code));
    skipped.push(
      ...broken.map(
        (f) =>
          `${app.name}: ${describeFailure(f)} (its generated values break a rule the migration adds: its table's queries not run)`,
      ),
    );
    // the table's other queries check what the refused one wrote: none of them is run
    const tablesBroken = new Set(broken.map((f) => f.table));
    return without(
      app,
      app.tables
        .filter((t) => tablesBroken.has(t.table))
        .flatMap((t) => t.queries.map((query) => ({ table: t.table, query, error: '' }))),
    );
  };
  const highestOf = async (client: pg.Client, own: Table[], touched: Set<string>) => {
    const out = new Map<string, Map<string, bigint>>();
    for (const t of own.filter((x) => touched.has(x.label))) out.set(t.label, await highest(client, t));
    return out;
  };
  const [vTouched, v1Touched] = [changed(v, v1), changed(v1, v)];
  const apps = {
    v: await withinRules(
      await valid(
        before,
        appQueries('V', v, vTouched, v1, await highestOf(before, v, vTouched)),
        'before the migration',
      ),
    ),
    v1: await valid(
      after,
      appQueries('V+1', v1, v1Touched, v, await highestOf(after, v1, v1Touched)),
      'after the migration as written',
    ),
    v1After: deployPoint(manifest),
  };
  return { apps, skipped };
}

/** SQLSTATEs of a value a rule refuses: a data exception (class 22), a check violation, a unique or an exclusion
 *  violation (a unique index on a foreign key the generated rows already use each row of), an exception a trigger raises. */
const BREAKS_A_RULE = /^(22|23514$|23505$|23P01$|P0001$)/;

/**
 * Runs every phase of the plan through the runner. A phase with a down file is run, undone and
 * run again: undone, the catalog must be as before it, and the columns the migration started
 * with must hold the same rows (a copy the plan made may keep its values: the trigger keeps
 * writing them anyway). After each phase, V's queries run until contract and V+1's from its
 * deploy point on (V's have run before the first phase, in `appsOf`).
 */
async function runPlan(
  client: pg.Client,
  url: string,
  planDir: string,
  manifest: Manifest,
  undone: PhaseName[],
  mutable: Map<string, boolean>,
  initial: Snapshot,
  apps: Apps,
): Promise<string[]> {
  const { runPhase, rollbackPhase } = await import('../runner/run.js');
  let v1Deployed = apps.v1After === undefined;
  const queries = async (when: string, v: boolean): Promise<string[]> => {
    for (const app of [...(v ? [apps.v] : []), ...(v1Deployed ? [apps.v1] : [])]) {
      const failure = (await runQueries(client, app))[0];
      if (failure) return [`${when}, ${app.name}'s query failed: ${describeFailure(failure)}`];
    }
    return [];
  };
  const first = await queries('before the first phase', false);
  if (first.length) return first;
  for (const phase of manifest.phases) {
    const failed = await runOne(phase);
    if (failed.length) return failed;
    if (phase.name === apps.v1After) v1Deployed = true;
    const broken = await queries(`after ${phase.name}`, phase.name !== 'contract');
    if (broken.length) return broken;
  }
  return [];

  async function runOne(phase: Manifest['phases'][number]): Promise<string[]> {
    const name = phase.name;
    // a batch per row: what a backfill would compute per batch, not once, shows on a dozen rows
    const run = { planDir, databaseUrl: url, phase: name, backfillTriggers: 'fire' as const, batchSize: 1 };
    try {
      if (phase.down) {
        const before = await snapshotOf(client, mutable);
        await runPhase(run);
        await rollbackPhase({ planDir, databaseUrl: url, phase: name });
        const after = await snapshotOf(client, mutable);
        const label = `after ${name} and its down file`;
        const diff = [
          ...catalogDiff(before.catalog, after.catalog),
          ...rowsDiff(projectRows(before.rows, initial.rows), projectRows(after.rows, initial.rows)),
        ].map((d) => `${label}: ${d}`);
        if (diff.length) return diff;
        undone.push(name);
      }
      await runPhase(run);
    } catch (error) {
      return [`${name} failed: ${(error as Error).message}`];
    }
    return [];
  }
}

/** The generated rows of each try, in order (`rows` absent: none), and, for a try after the first,
 *  what the migration as written failed on in the tries before it. */
type Generation = { nulls: boolean; twin: boolean };
const TRIES: Array<{ rows?: Generation; failedOn?: string }> = [
  { rows: { nulls: true, twin: true } },
  { rows: { nulls: true, twin: false }, failedOn: "where one repeats another's values" },
  { rows: { nulls: false, twin: true }, failedOn: 'with NULLs' },
  { rows: { nulls: false, twin: false }, failedOn: "with NULLs, and where one repeats another's values" },
  { failedOn: 'with and without NULLs' },
];

/** Proves the plan in `planDir` on a shadow database; a database error of the shadow itself throws. */
export async function prove(options: ProveOptions): Promise<Proof> {
  const cwd = options.cwd ?? process.cwd();
  const manifest = readManifest(options.planDir);
  const migration = await migrationFile(options.file, cwd);
  const shadow = options.shadow ?? (await Shadow.open(await shadowServer(options.shadowUrl)));
  // this proof's databases, dropped when it ends: a shared shadow would keep them until it closes
  const mine: string[] = [];
  const create = async (label: string, template?: string) => {
    const database = await shadow.create(label, template);
    mine.push(database.name);
    return database;
  };
  try {
    const mutable = new Map<string, boolean>();
    let empty = options.startDatabase;
    const start = startKind(options.start);
    if (empty === undefined) {
      const made = await create('start');
      await buildStart(made.url, options.start, options.file, cwd);
      empty = made.name;
    }
    // rows with NULLs and a twin first; a migration that trusts the data to have no NULL (SET NOT
    // NULL) or no two rows alike (a unique index) gets rows without, then none at all
    let refused = '';
    const seeded = async (label: string, rows: Generation | undefined) => {
      const made = await create(label, empty);
      if (!rows) return { ...made, generated: { inserted: {}, skipped: [] } as GeneratedRows };
      const seed = await connect(made.url);
      return { ...made, generated: await generateRows(seed, rows).finally(() => seed.end()) };
    };
    for (const { rows, failedOn } of TRIES) {
      // the plan runs on the seeded database itself, the migration on a copy of it
      const planned = await seeded('plan', rows);
      const generated = planned.generated;
      const written = await create('migration', planned.name);
      try {
        await applyFile(written.url, migration);
      } catch (error) {
        if (!(error instanceof PgphaseError)) throw error;
        refused = error.message;
        continue;
      }
      // one session on each for everything but the runner (each connection is a new server process)
      const [onPlan, onWritten] = [await connect(planned.url), await connect(written.url)];
      try {
        const expected = await snapshotOf(onWritten, mutable);
        const initial = await snapshotOf(onPlan, mutable);
        const { apps, skipped } = await appsOf(onPlan, onWritten, initial, expected, manifest);
        const proof: Proof = {
          result: 'equal',
          postgres: shadow.version,
          start,
          tables: Object.values(generated.inserted).filter((n) => n > 0).length,
          rows: Object.values(generated.inserted).reduce((a, b) => a + b, 0),
          undone: [],
          differences: [],
          skipped: [...generated.skipped, ...skipped],
          ...(failedOn && { fewerRows: `the migration as written fails on generated rows ${failedOn}: ${refused}` }),
          queries: { v: queryCount(apps.v), v1: queryCount(apps.v1), ...(apps.v1After && { v1After: apps.v1After }) },
        };
        const failed = await runPlan(
          onPlan,
          planned.url,
          options.planDir,
          manifest,
          proof.undone,
          mutable,
          initial,
          apps,
        );
        if (failed.length) return { ...proof, result: 'failed', differences: failed };
        const actual = await snapshotOf(onPlan, mutable);
        let diff = differences(expected, actual, 'after contract');
        if (diff.length && rowsDiff(expected.rows, actual.rows).length) {
          // values the migration computes with a volatile function differ from run to run: run it
          // once more (on the same generated rows), and compare the columns that differ between
          // its two runs by presence
          const again = await seeded('again', rows);
          await applyFile(again.url, migration);
          const twice = (await snapshot(again.url, mutable)).rows;
          const varying = varyingColumns(expected.rows, twice);
          // and, where the migration gives the same rows one value in both runs (one token per
          // group, one for all), how the rows share them
          const shared = sharedAlike(expected.rows, twice, varying);
          if (varying.size)
            diff = differences(
              { ...expected, rows: maskRows(expected.rows, varying, shared) },
              { ...actual, rows: maskRows(actual.rows, varying, shared) },
              'after contract',
            );
        }
        return diff.length ? { ...proof, result: 'differs', differences: diff } : proof;
      } finally {
        await onPlan.end();
        await onWritten.end();
      }
    }
    return {
      result: 'unproven',
      postgres: shadow.version,
      start,
      tables: 0,
      rows: 0,
      undone: [],
      differences: [`the migration itself fails on the shadow database: ${refused}`],
      skipped: [],
    };
  } finally {
    // copies first, their templates after
    for (const name of mine.reverse()) await shadow.drop(name).catch(() => undefined);
    if (!options.shadow) await shadow.close();
  }
}

/**
 * Proves an existing plan again and records the result in it. The migration is the one
 * plan.json names (it must not have changed); the starting schema is the one given, else the
 * history the migration belongs to.
 */
export async function proveAgain(
  options: ShadowStart & { planDir: string; shadowUrl?: string; cwd?: string },
): Promise<Proof> {
  const cwd = options.cwd ?? process.cwd();
  const planDir = resolve(cwd, options.planDir);
  const manifest = readManifest(planDir);
  const file = manifest.source.path;
  const text = await readFile(resolve(cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      `${file}: cannot read the migration plan.json names (${error.code ?? 'error'}); run \`pgphase prove\` from the directory \`pgphase plan\` ran in`,
    );
  });
  if (sha256(text) !== manifest.source.sha256)
    throw new InputError(`${file} has changed since it was planned: run \`pgphase plan\` again`);
  const { history, schemaFile, databaseUrl } = options;
  const start: ShadowStart = {
    ...(history !== undefined && { history }),
    ...(schemaFile !== undefined && { schemaFile }),
    ...(databaseUrl !== undefined && { databaseUrl }),
  };
  if (history === undefined && schemaFile === undefined && databaseUrl === undefined) {
    const found = await fileInSet(file, undefined, new Discovery(cwd)).catch(() => undefined);
    if (found && found.set.files[0]?.absPath !== found.file.absPath) start.history = found.set.root;
  }
  const proof = await prove({
    planDir,
    file,
    start,
    cwd,
    ...(options.shadowUrl !== undefined && { shadowUrl: options.shadowUrl }),
  });
  await recordProof(planDir, proof);
  return proof;
}
