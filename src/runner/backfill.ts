// A backfill in keyset batches: each batch one transaction that changes the driving rows with
// keys in (last, batch end] and stores batch end as the cursor, so a run killed at any point
// resumes where the last committed batch ended and changes no row twice.
import type pg from 'pg';
import { PlanError } from '../errors.js';
import type { ManifestPhase } from '../plan/manifest.js';
import {
  backfillStatement,
  batchDriver,
  batchStatement,
  changedTable,
  firingTriggersSql,
  keyRow,
  keysStatements,
  statementNode,
  withPredicate,
} from '../plan/batch.js';
import { quoteIdent, quoteQualified } from '../sql/names.js';
import type { PhaseRecord } from './state.js';

export type ManifestBackfill = NonNullable<ManifestPhase['backfills']>[number];
export type BackfillProgress = PhaseRecord['backfill'][number];

export interface BatchEvent {
  rows: number;
  done: number;
  total: number | null;
  batchSize: number;
  ms: number;
  rowsPerSecond: number;
}

/** An application trigger that fires on a backfill's batches; `enabled` as in pg_trigger ('O', or 'A' for ALWAYS). */
export interface AppTrigger {
  name: string;
  enabled: string;
}

/** Fire the application's triggers on each batch, or keep them from firing (the default). */
export type TriggerMode = 'fire' | 'skip';

export interface BackfillRun {
  db: pg.Client;
  backfill: ManifestBackfill;
  progress: BackfillProgress;
  /**
   * Triggers to keep from firing: disabled inside each batch's transaction and enabled again before
   * it commits, so no other session ever sees them disabled. ALTER TABLE holds SHARE ROW EXCLUSIVE
   * until the batch commits (the application's writes to the table wait for the batch), under
   * `lockTimeoutMs`.
   */
  skipTriggers: AppTrigger[];
  /** For a snapshot: the table of what the batches apply, made before the first batch (batch.ts keysTable). */
  keys?: string;
  lockTimeoutMs: number;
  /** Runs a batch, again when it timed out on a lock. */
  retrying(batch: () => Promise<void>): Promise<void>;
  /** A fixed batch size; without it the size steers toward `targetBatchMs`. */
  batchSize?: number;
  targetBatchMs?: number;
  pauseMs?: number;
  /** Stores the progress, inside the batch's transaction. */
  save(progress: BackfillProgress): Promise<void>;
  onBatch?(event: BatchEvent): void;
}

type Cursor = unknown[] | null;

/** The parameters $from… of a key row: `($3, $4)`. */
function params(count: number, from: number): string {
  return `(${Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ')})`;
}

/**
 * The statement of one batch, for each pair of bounds (none below the first batch, none above
 * the last): the keys travel as parameters, lower bound first.
 */
function batchSql(statement: string, key: string[]): (lo: boolean, hi: boolean) => string {
  const driver = batchDriver(...statementNode(statement));
  // the plan checked the statement; a plan.json edited since is refused before this runs
  if (typeof driver === 'string')
    throw new PlanError(`plan.json: a backfill cannot be batched (${driver}): re-run \`pgphase plan\``);
  const row = keyRow(driver.ref, key);
  const n = key.length;
  const made = new Map<string, string>();
  return (lo, hi) => {
    const bounds = [lo ? `${row} > ${params(n, 1)}` : '', hi ? `${row} <= ${params(n, lo ? n + 1 : 1)}` : ''].filter(
      Boolean,
    );
    const id = `${lo} ${hi}`;
    if (!made.has(id)) made.set(id, bounds.length ? withPredicate(statement, bounds.join(' AND ')) : statement);
    return made.get(id)!;
  };
}

/** Runs the batches from the recorded cursor to the end of the driving table. */
export async function runBackfill(run: BackfillRun): Promise<void> {
  const { db, backfill: b, keys } = run;
  // the batches walk the driving table, or the keys chosen for a DELETE that reads its own table
  const table = keys ?? quoteQualified(b.table);
  const key = b.key.map(quoteIdent);
  const statement = batchStatement(b, keys);
  const change = batchSql(statement, b.key);
  const estimate = await db.query<{ n: string }>(
    `SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`,
    [table],
  );
  const total = Number(estimate.rows[0]?.n ?? 0) || null;
  let size = run.batchSize ?? b.batchSize;
  // a batch's row locks make the application's writes to those rows wait: 100 ms keeps the
  // application's p99 within 3× idle at ~0.95× a single UPDATE's rows/s (bench/backfill.mjs)
  const targetMs = run.targetBatchMs ?? 100;
  let { cursor, rows } = run.progress;
  const target = changedTable(statement);
  const toggle = (on: boolean) =>
    `ALTER TABLE ${target} ${run.skipTriggers.map((t) => `${on ? `ENABLE ${t.enabled === 'A' ? 'ALWAYS ' : ''}` : 'DISABLE '}TRIGGER ${quoteIdent(t.name)}`).join(', ')}`;
  for (;;) {
    const started = Date.now();
    let changed = 0;
    let hi: Cursor = null;
    await run.retrying(async () => {
      await db.query('BEGIN');
      try {
        if (keys && cursor === null) {
          // one read of the whole table, as the statement as written would make (a leftover of a rolled-back run is replaced)
          await db.query(`DROP TABLE IF EXISTS ${keys}`);
          for (const sql of keysStatements(b, keys)) await db.query(sql);
        }
        await db.query(`SET LOCAL statement_timeout = '5min'`);
        if (run.skipTriggers.length) {
          await db.query(`SET LOCAL lock_timeout = '${run.lockTimeoutMs}ms'`);
          await db.query(toggle(false));
        }
        const lo = cursor ? ` WHERE (${key.join(', ')}) > ${params(key.length, 1)}` : '';
        // keys travel as text, in the cursor and back as parameters: exact for every type, whatever the client's time zone;
        // ORDER BY names the table's columns: a bare name would mean the text output column of that name (order '10' < '9')
        const next = await db.query({
          text: `SELECT ${key.map((k) => `${k}::text`).join(', ')} FROM ${table}${lo} ORDER BY ${key.map((k) => `${table}.${k}`).join(', ')} OFFSET ${size - 1} LIMIT 1`,
          values: cursor ?? [],
          rowMode: 'array',
        });
        hi = (next.rows[0] as unknown[] | undefined) ?? null;
        const result = await db.query(change(cursor !== null, hi !== null), [...(cursor ?? []), ...(hi ?? [])]);
        changed = result.rowCount ?? 0;
        if (run.skipTriggers.length) await db.query(toggle(true));
        if (keys && hi === null) await db.query(`DROP TABLE ${keys}`);
        await run.save({ cursor: hi, rows: rows + changed, total, done: hi === null });
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    rows += changed;
    cursor = hi;
    const ms = Math.max(1, Date.now() - started);
    run.onBatch?.({
      rows: changed,
      done: rows,
      total,
      batchSize: size,
      ms,
      rowsPerSecond: Math.round((changed * 1000) / ms),
    });
    if (hi === null) return;
    // steer the batch size toward the target batch duration, within limits
    if (!run.batchSize)
      size = Math.max(100, Math.min(50_000, Math.round(size * Math.min(2, Math.max(0.5, targetMs / ms)))));
    if (run.pauseMs) await new Promise((r) => setTimeout(r, run.pauseMs));
  }
}

/** The application's triggers that fire on the backfill's batches, as the database has them now. */
export async function firingTriggers(db: pg.Client, b: ManifestBackfill): Promise<AppTrigger[]> {
  return (await db.query<AppTrigger>(firingTriggersSql(backfillStatement(b)))).rows;
}

/** Why this session cannot keep the triggers from firing (ALTER TABLE … DISABLE TRIGGER needs the table's owner), or undefined. */
export async function cannotSkipTriggers(db: pg.Client, b: ManifestBackfill): Promise<string | undefined> {
  const { rows } = await db.query<{ owner: boolean; name: string; me: string }>(
    `SELECT pg_has_role(c.relowner, 'USAGE') AS owner, pg_get_userbyid(c.relowner) AS name, current_user AS me FROM pg_class c WHERE c.oid = $1::regclass`,
    [changedTable(backfillStatement(b))],
  );
  const r = rows[0]!;
  return r.owner
    ? undefined
    : `keeping them from firing takes ALTER TABLE … DISABLE TRIGGER inside each batch, which only the table's owner ${quoteIdent(r.name)} may run (connected as ${quoteIdent(r.me)})`;
}
