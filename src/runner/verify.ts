// `verify`: the read-only start-up check an application pod runs instead of migrating.
// One round trip reads pgphase.phase_log and looks up in the catalog the objects the shipped
// plans' phases leave, and decides whether the plans this release ships are compatible with
// the database (DESIGN.md "verify"); it never creates anything.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { ConnectionError, DatabaseError, InputError, PlanError, UsageError } from '../errors.js';
import type { ManifestPhase } from '../plan/manifest.js';
import { DEFAULT_SCHEMA, quoteIdent, quoteLiteral, quoteQName } from '../sql/names.js';
import { MANIFEST_VERSION, PHASES, type PhaseName, type SchemaObject } from '../plan/types.js';
import { connect } from './connect.js';
import { STATUS, type PhaseStatus } from './state.js';

export interface VerifyOptions {
  /** A directory of plan directories (each with a plan.json): the plans this release ships. */
  plansDir: string;
  /** What a relative `plansDir` is relative to (default: the process's working directory). */
  cwd?: string;
  databaseUrl?: string;
  /** Poll for this many milliseconds until the database is compatible (default 0: check once). */
  wait?: number;
  /** Milliseconds between polls while waiting (default 1000). */
  pollMs?: number;
}

export type VerifyProblemKind = 'missing' | 'contracted' | 'checksum' | 'schema';

export interface VerifyProblem {
  plan: string;
  kind: VerifyProblemKind;
  message: string;
}

export interface VerifyPlan {
  id: string;
  /** True for a plan this release ships; false for one only the database knows (a newer release's). */
  shipped: boolean;
  /** Its phases whose status is `applied`, in phase order. */
  applied: PhaseName[];
  /** A shipped plan pgphase has no record of, whose objects the schema has: applied by another tool. */
  outside?: true;
}

export interface VerifyResult {
  compatible: boolean;
  problems: VerifyProblem[];
  plans: VerifyPlan[];
}

/** What verify reads of a phase_log row. */
export interface PhaseLogEntry {
  planId: string;
  phase: PhaseName;
  status: PhaseStatus;
  checksum: string;
  /** How many steps of the phase have been committed. */
  stepsDone: number;
}

/** What verify reads of a plan.json: the plan id and each phase's name, file, checksum and objects. */
export interface ShippedPlan {
  id: string;
  phases: Array<Pick<ManifestPhase, 'name' | 'file' | 'sha256' | 'present'>>;
}

/** A plan.json that holds what verify reads, as `pgphase plan` writes it. */
function isShippedPlan(json: unknown): json is ShippedPlan {
  const plan = json as { version?: unknown; id?: unknown; phases?: unknown } | null;
  if (
    plan?.version !== MANIFEST_VERSION ||
    typeof plan.id !== 'string' ||
    !Array.isArray(plan.phases) ||
    plan.phases.length === 0
  )
    return false;
  return plan.phases.every(
    (p: { name?: unknown; file?: unknown; sha256?: unknown; present?: unknown } | null) =>
      PHASES.includes(p?.name as PhaseName) &&
      typeof p?.file === 'string' &&
      typeof p.sha256 === 'string' &&
      (p.present === undefined || Array.isArray(p.present)),
  );
}

/**
 * Reads what verify needs of `<dir>/plan.json`. The zod schema that checks all of it takes
 * longer to load than verify takes to run (~70 ms, at every application start-up), so it loads
 * only to say what is wrong with a file that lacks those fields; the runner checks the whole
 * manifest before it runs a phase.
 */
async function readShippedPlan(dir: string): Promise<ShippedPlan> {
  try {
    const json: unknown = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    if (isShippedPlan(json)) return json;
  } catch {
    // unreadable or not JSON: readManifest says which
  }
  return (await import('../plan/manifest.js')).readManifest(dir);
}

/**
 * The plans a release ships: every subdirectory of `plansDir` holding a plan.json, in name
 * order (hidden directories, such as a plan still being written, are skipped). `plansDir`
 * may itself be one plan directory. A directory without plans ships none.
 */
export async function readShippedPlans(plansDir: string): Promise<ShippedPlan[]> {
  let isDir: boolean;
  try {
    isDir = statSync(plansDir).isDirectory();
  } catch (error) {
    throw new InputError(
      `${plansDir}: cannot read the plans directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!isDir) throw new InputError(`${plansDir}: not a directory; give the directory that holds the plan directories`);
  if (existsSync(join(plansDir, 'plan.json'))) return [await readShippedPlan(plansDir)];
  const seen = new Map<string, string>();
  const plans: ShippedPlan[] = [];
  for (const name of readdirSync(plansDir).sort()) {
    const dir = join(plansDir, name);
    if (name.startsWith('.') || !existsSync(join(dir, 'plan.json'))) continue;
    const manifest = await readShippedPlan(dir);
    const other = seen.get(manifest.id);
    if (other !== undefined) {
      throw new PlanError(`${other} and ${dir} both hold plan ${manifest.id}; a plan id must be unique`);
    }
    seen.set(manifest.id, dir);
    plans.push(manifest);
  }
  return plans;
}

/**
 * The phases a release needs applied before it may start: expand and trigger, those of them the
 * plan has (RECIPES.md: V+1 deploys after them). Not backfill: it runs while both versions do;
 * not contract: it may only run once no older version is running, i.e. after this release is
 * deployed (requiring it first would stall a rolling deploy). Starting after expand alone when
 * there is a trigger would lose this release's writes to the new column: nothing copies them
 * to the old one, and the backfill then overwrites them.
 */
function requiredPhases(manifest: ShippedPlan): PhaseName[] {
  return manifest.phases.map((p) => p.name).filter((name) => name === 'expand' || name === 'trigger');
}

/** Why a recorded phase does not count as applied yet. */
function notYet(entry: PhaseLogEntry): string {
  switch (entry.status) {
    case 'running':
      return ' (it is running)';
    case 'interrupted':
      return ` (it was interrupted; re-run \`pgphase run <plan-dir> ${entry.phase}\` to resume)`;
    case 'failed':
      return ' (its last run failed)';
    case 'rolled_back':
      return ' (it was rolled back)';
    case 'applied':
      return '';
  }
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;

function checksumProblem(manifest: ShippedPlan, entry: PhaseLogEntry): VerifyProblem | undefined {
  const phase = manifest.phases.find((p) => p.name === entry.phase);
  const was = entry.status === 'applied' ? 'was applied' : `was recorded (${entry.status.replace('_', ' ')})`;
  if (!phase) {
    return {
      plan: manifest.id,
      kind: 'checksum',
      message: `plan ${manifest.id} phase ${entry.phase} ${was} from a different file (this release's plan has no ${entry.phase} phase)`,
    };
  }
  if (entry.checksum === phase.sha256) return undefined;
  return {
    plan: manifest.id,
    kind: 'checksum',
    message: `plan ${manifest.id} phase ${entry.phase} ${was} from a different file (database: sha256 ${short(entry.checksum)}, this release's ${phase.file}: ${short(phase.sha256)})`,
  };
}

function contractProblem(planId: string, contract: PhaseLogEntry | undefined): VerifyProblem | undefined {
  if (!contract) return undefined;
  let message: string | undefined;
  if (contract.status === 'applied')
    message = `plan ${planId} was contracted by a newer release: this version can no longer run`;
  // contract steps commit one by one: a contract that is running, interrupted or failed may have dropped things already
  else if (contract.stepsDone > 0)
    message = `plan ${planId} was partly contracted by a newer release: this version can no longer run`;
  else if (contract.status === 'running')
    message = `plan ${planId} is being contracted by a newer release: this version can no longer run`;
  // nothing recorded as dropped, but a concurrent step may have finished unrecorded, and the contract resumes when run again
  else if (contract.status === 'interrupted')
    message = `plan ${planId} was being contracted by a newer release when its run was interrupted: this version can no longer run`;
  return message === undefined ? undefined : { plan: planId, kind: 'contracted', message };
}

const byPhase = (a: PhaseLogEntry, b: PhaseLogEntry) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase);

/** The objects of a plan's phase that the schema lacks; an empty list when it has them all. */
export type MissingObjects = (plan: ShippedPlan, phase: PhaseName) => SchemaObject[];

/** How a message names an object: `column "users"."email" (text)`, `trigger "t_sync" of "users"`. */
export function describeObject(o: SchemaObject): string {
  const q = (schema: string, name: string) => quoteQName(schema === DEFAULT_SCHEMA ? { name } : { schema, name });
  if (o.kind === 'column') return `column ${q(o.schema, o.table)}.${quoteIdent(o.name)} (${o.type})`;
  if ('table' in o) return `${o.kind} ${quoteIdent(o.name)} of ${q(o.schema, o.table)}`;
  return `${o.kind} ${q(o.schema, o.name)}`;
}

/** The last phase of a plan applied per the records, whose objects the schema must have. */
function lastApplied(manifest: ShippedPlan, mine: readonly PhaseLogEntry[]): PhaseName | undefined {
  const applied = manifest.phases
    .map((p) => p.name)
    .filter((name) => mine.some((e) => e.phase === name && e.status === 'applied'));
  return applied.at(-1);
}

/** A shipped plan without records whose objects are in the schema: as after its required phases, or after its contract (the migration applied as written). */
function appliedOutside(manifest: ShippedPlan, missing: MissingObjects): boolean {
  const required = requiredPhases(manifest).at(-1);
  const candidates = [required, manifest.phases.some((p) => p.name === 'contract') ? 'contract' : undefined] as const;
  return candidates.some((phase) => {
    const present = manifest.phases.find((p) => p.name === phase)?.present ?? [];
    return phase !== undefined && present.length > 0 && missing(manifest, phase).length === 0;
  });
}

/**
 * Decides compatibility from the shipped plans, the recorded phases and what the schema lacks
 * of the objects the plans' phases leave (pure; verify's core).
 */
export function assessCompatibility(
  shipped: readonly ShippedPlan[],
  entries: readonly PhaseLogEntry[],
  missing: MissingObjects = () => [],
): VerifyResult {
  const recorded = new Map<string, PhaseLogEntry[]>();
  for (const e of entries) recorded.set(e.planId, [...(recorded.get(e.planId) ?? []), e]);
  const problems: VerifyProblem[] = [];
  const plans: VerifyPlan[] = [];
  const applied = (list: PhaseLogEntry[]) =>
    list
      .filter((e) => e.status === 'applied')
      .sort(byPhase)
      .map((e) => e.phase);
  // the schema is checked against the newest plan the records say is applied: a later plan may
  // change what an earlier one left (a column it renames), so only the newest one's objects hold
  const known = new Set(shipped.map((m) => m.id));
  const newerApplied = entries.some((e) => !known.has(e.planId) && e.status === 'applied');
  const newest = newerApplied
    ? undefined
    : [...shipped].reverse().find((m) => recorded.get(m.id)?.some((e) => e.status === 'applied'));

  for (const manifest of shipped) {
    const mine = recorded.get(manifest.id) ?? [];
    if (mine.length === 0 && appliedOutside(manifest, missing)) {
      plans.push({ id: manifest.id, shipped: true, applied: [], outside: true });
      continue;
    }
    plans.push({ id: manifest.id, shipped: true, applied: applied(mine) });
    const notApplied = requiredPhases(manifest).filter(
      (phase) => !mine.some((e) => e.phase === phase && e.status === 'applied'),
    );
    if (notApplied.length > 0) {
      const entry = mine.find((e) => e.phase === notApplied[0]);
      problems.push({
        plan: manifest.id,
        kind: 'missing',
        message: `migration job has not run plan ${manifest.id} ${notApplied.join(' and ')} yet${entry ? notYet(entry) : ''}`,
      });
    } else if (manifest === newest) {
      const phase = lastApplied(manifest, mine)!;
      const lacks = missing(manifest, phase);
      if (lacks.length > 0) {
        problems.push({
          plan: manifest.id,
          kind: 'schema',
          message: `plan ${manifest.id} ${phase} is recorded as applied, but the database lacks ${lacks.map(describeObject).join(', ')}; something undid it, or this is not the database the plan ran on`,
        });
      }
    }
    for (const e of [...mine].sort(byPhase)) {
      const problem = checksumProblem(manifest, e);
      if (problem) problems.push(problem);
    }
  }

  for (const [planId, list] of [...recorded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (known.has(planId)) continue;
    plans.push({ id: planId, shipped: false, applied: applied(list) });
    const problem = contractProblem(
      planId,
      list.find((e) => e.phase === 'contract'),
    );
    if (problem) problems.push(problem);
  }
  return { compatible: problems.length === 0, problems, plans };
}

/** Is each object in the catalog? One SELECT, no parameters (it goes in the same simple query as the phase log). */
const EXISTS = `CASE o.kind
  WHEN 'column' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', o.schema, o.tbl))
    AND a.attname = o.name AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = pg_catalog.to_regtype(o.type))
  WHEN 'constraint' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', o.schema, o.tbl)) AND c.conname = o.name)
  WHEN 'trigger' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', o.schema, o.tbl)) AND t.tgname = o.name)
  WHEN 'relation' THEN pg_catalog.to_regclass(pg_catalog.format('%I.%I', o.schema, o.name)) IS NOT NULL
  WHEN 'function' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = pg_catalog.to_regnamespace(pg_catalog.quote_ident(o.schema))::oid AND p.proname = o.name)
END`;

/** The indexes, in `objects`, of those the catalog lacks. */
function missingQuery(objects: readonly SchemaObject[]): string {
  const rows = objects.map((o, i) => ({
    i,
    kind: o.kind,
    schema: o.schema,
    tbl: 'table' in o ? o.table : null,
    name: o.name,
    type: 'type' in o ? o.type : null,
  }));
  return `SELECT o.i FROM pg_catalog.jsonb_to_recordset(${quoteLiteral(JSON.stringify(rows))}::jsonb) AS o(i int, kind text, schema text, tbl text, name text, type text) WHERE NOT (${EXISTS})`;
}

const UNDEFINED_TABLE = '42P01';
const INSUFFICIENT_PRIVILEGE = '42501';

interface PhaseLogRow {
  plan_id: string;
  phase: PhaseName;
  status: PhaseStatus;
  checksum: string;
  steps_done: number;
}

const PHASE_LOG = `SELECT plan_id, phase, ${STATUS} AS status, checksum, cardinality(steps_done) AS steps_done FROM pgphase.phase_log`;

/** What one read of the database tells verify: the recorded phases, and which of the given objects the catalog lacks. */
export interface DatabaseState {
  entries: PhaseLogEntry[];
  /** Indexes into the objects asked about. */
  missing: Set<number>;
}

/**
 * Every recorded phase (none when the state table does not exist) and which of `objects` the
 * catalog lacks, in one round trip: no parameters, so the simple query protocol carries both
 * statements at once. Creates nothing.
 */
export async function readState(client: pg.ClientBase, objects: readonly SchemaObject[] = []): Promise<DatabaseState> {
  const missingOf = (rows: Array<{ i: number }>) => new Set(rows.map((r) => r.i));
  try {
    if (objects.length === 0)
      return { entries: entriesOf((await client.query<PhaseLogRow>(PHASE_LOG)).rows), missing: new Set() };
    const [found, log] = (await client.query(`${missingQuery(objects)};\n${PHASE_LOG}`)) as unknown as [
      pg.QueryResult<{ i: number }>,
      pg.QueryResult<PhaseLogRow>,
    ];
    return { entries: entriesOf(log.rows), missing: missingOf(found.rows) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // a database pgphase never ran on: its schema may still hold what another tool applied
    if (code === UNDEFINED_TABLE)
      return {
        entries: [],
        missing: objects.length
          ? missingOf((await client.query<{ i: number }>(missingQuery(objects))).rows)
          : new Set(),
      };
    const reason = (error as Error).message;
    if (code === INSUFFICIENT_PRIVILEGE) {
      throw new DatabaseError(
        `cannot read pgphase.phase_log: ${reason}; grant this role USAGE ON SCHEMA pgphase and SELECT ON pgphase.phase_log`,
      );
    }
    throw new DatabaseError(`cannot read pgphase.phase_log: ${reason}`);
  }
}

function entriesOf(rows: PhaseLogRow[]): PhaseLogEntry[] {
  return rows.map((r) => ({
    planId: r.plan_id,
    phase: r.phase,
    status: r.status,
    checksum: r.checksum,
    stepsDone: r.steps_done,
  }));
}

/** Every object the shipped plans' phases leave, and how to find a phase's missing ones from a read's indexes. */
function objectsOf(shipped: readonly ShippedPlan[]): {
  objects: SchemaObject[];
  missing: (state: DatabaseState) => MissingObjects;
} {
  const objects: SchemaObject[] = [];
  const at = new Map<string, number>();
  for (const manifest of shipped) {
    for (const phase of manifest.phases) {
      at.set(`${manifest.id}\0${phase.name}`, objects.length);
      objects.push(...(phase.present ?? []));
    }
  }
  return {
    objects,
    missing: (state) => (manifest, name) => {
      const present = manifest.phases.find((p) => p.name === name)?.present ?? [];
      const start = at.get(`${manifest.id}\0${name}`) ?? 0;
      return present.filter((_, i) => state.missing.has(start + i));
    },
  };
}

function milliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`verify: ${name} ${value}: expected a number of milliseconds, 0 or more`);
  return value;
}

/** A connection to the database, tried again every `pollMs` until `deadline` while it cannot be
 *  made: an init container may start before the database does, or before its name resolves. */
async function connectBy(url: string | undefined, deadline: number, pollMs: number): Promise<pg.Client> {
  for (;;) {
    try {
      return await connect(url);
    } catch (error) {
      const left = deadline - Date.now();
      if (!(error instanceof ConnectionError) || left <= 0) throw error;
      await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
    }
  }
}

/**
 * Is this release (the plans in `plansDir`) compatible with the database? Compatible when
 * every shipped plan has the phases this release deploys after applied (see requiredPhases), no
 * recorded phase of a shipped plan came from a different file, and no plan unknown to this
 * release has had its contract applied. A newer plan that is only expanded is fine: that is what lets an
 * application roll back. With `wait`, polls until compatible or the time is up, and connects
 * again while the database cannot be reached.
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const wait = milliseconds('wait', options.wait, 0);
  const pollMs = Math.max(1, milliseconds('pollMs', options.pollMs, 1000));
  const shipped = await readShippedPlans(resolve(options.cwd ?? process.cwd(), options.plansDir));
  const { objects, missing } = objectsOf(shipped);
  const deadline = Date.now() + wait;
  const client = await connectBy(options.databaseUrl, deadline, pollMs);
  try {
    for (;;) {
      const state = await readState(client, objects);
      const result = assessCompatibility(shipped, state.entries, missing(state));
      const left = deadline - Date.now();
      if (result.compatible || left <= 0) return result;
      await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
