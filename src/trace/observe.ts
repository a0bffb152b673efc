// What PostgreSQL really does for each statement of a migration, observed on a shadow
// database: the locks its backend holds (read from a second connection in pg_locks), the
// relations it rewrote (pg_class.relfilenode before and after) and the tables it scanned
// (pg_stat_xact_user_tables). A statement outside a transaction runs in one of its own, so
// that its locks can be read before they are released; one PostgreSQL refuses to run in a
// transaction (CONCURRENTLY, VACUUM) runs alone while the observer holds a snapshot and
// ACCESS SHARE on every table, which makes it wait where it would wait for the application,
// and its locks are sampled meanwhile.
import type pg from 'pg';
import type { MigrationFile } from '../discover/index.js';
import type { LockMode } from '../sql/locks.js';
import type { Statement } from '../sql/source.js';
import { quoteQualified } from '../sql/names.js';

export type RelationKind =
  | 'table'
  | 'partitioned table'
  | 'index'
  | 'sequence'
  | 'view'
  | 'materialized view'
  | 'other';

export interface Relation {
  schema: string;
  name: string;
  kind: RelationKind;
  /** Made earlier in the same migration: no traffic waits for it. */
  isNew: boolean;
}

export interface TracedLock {
  relation: Relation;
  mode: LockMode;
  /** From the start of the statement that took it to the end of its transaction: the time its statement, the later ones of the transaction and the COMMIT took; undefined when it could only be sampled. */
  heldMs?: number;
}

export interface TracedStatement {
  index: number;
  line: number;
  /** The first line of the statement's text. */
  text: string;
  durationMs: number;
  /** Statements with the same number ran in one transaction. */
  transaction: number;
  /** How the locks were read: at the end of the statement in its transaction (every lock it holds to the end of it), or sampled while it ran alone. */
  observed: 'in-transaction' | 'sampled';
  /** Locks this statement took first in its transaction (a lock an earlier statement of the transaction already holds is theirs). */
  locks: TracedLock[];
  /** Tables and indexes that got a new file (relfilenode): rewritten or rebuilt. */
  rewrites: Relation[];
  /** Relations it renamed (or moved to another schema), as they were named before and after. */
  renames: Array<{ relation: Relation; to: { schema: string; name: string } }>;
  /** Tables read whole (sequential scans), with the rows read; unknown (empty) for a statement sampled alone. */
  scans: Array<{ relation: Relation; rows: number }>;
  /** PostgreSQL refused it: the trace of the file ends here. */
  error?: string;
  /** The SQLSTATE of the refusal. */
  sqlstate?: string;
}

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'partitioned table',
  i: 'index',
  I: 'index',
  S: 'sequence',
  v: 'view',
  m: 'materialized view',
};

const MODES: Record<string, LockMode> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};

const RELATIONS = `
SELECT c.oid::int8 AS oid, c.relfilenode::int8 AS node, c.relkind AS kind, n.nspname AS schema, c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const SCANS = `SELECT relid::int8 AS oid, seq_scan::int8 AS scans, seq_tup_read::int8 AS rows FROM pg_stat_xact_user_tables`;

// a lock the backend waits for may be on something else than a relation (a virtual transaction id)
const LOCKS = `
SELECT relation::int8 AS oid, mode, granted FROM pg_locks
 WHERE pid = $1 AND (locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) OR NOT granted)`;

interface RelationRow {
  oid: string;
  node: string;
  kind: string;
  schema: string;
  name: string;
}

/** A migration file being traced: the two sessions and what they saw so far. */
export class Observer {
  /** Every user relation seen, by oid: a dropped one keeps its name. */
  private readonly known = new Map<string, Relation>();
  /** The relations as the current statement found them: one it renames is named as the statement names it. */
  private before = new Map<string, Relation>();
  /** Relations that existed before the migration: others are new. */
  private readonly existing = new Set<string>();
  private transactions = 0;

  private constructor(
    private readonly run: pg.Client,
    private readonly watch: pg.Client,
    private readonly pid: number,
  ) {}

  /** `run` runs the migration; `watch` reads pg_locks for its backend. */
  static async open(run: pg.Client, watch: pg.Client): Promise<Observer> {
    const { rows } = await run.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return new Observer(run, watch, rows[0]!.pid);
  }

  /** Marks every relation now in the database as existing before the migration. */
  async startMigration(): Promise<void> {
    this.existing.clear();
    for (const r of await this.relations()) this.existing.add(r.oid);
  }

  private async relations(): Promise<RelationRow[]> {
    return this.named((await this.run.query<RelationRow>(RELATIONS)).rows);
  }

  private named(rows: RelationRow[]): RelationRow[] {
    for (const r of rows)
      this.known.set(r.oid, {
        schema: r.schema,
        name: r.name,
        kind: KINDS[r.kind] ?? 'other',
        isNew: !this.existing.has(r.oid),
      });
    return rows;
  }

  /** The relations and the scans of the open transaction so far, in one round trip. */
  private async state(): Promise<{ relations: RelationRow[]; scans: Map<string, { scans: number; rows: number }> }> {
    const [relations, scans] = (await this.run.query(`${RELATIONS};${SCANS}`)) as unknown as [
      pg.QueryResult<RelationRow>,
      pg.QueryResult<{ oid: string; scans: string; rows: string }>,
    ];
    return {
      relations: this.named(relations.rows),
      scans: new Map(scans.rows.map((r) => [r.oid, { scans: Number(r.scans), rows: Number(r.rows) }])),
    };
  }

  private async locks(): Promise<Array<{ oid: string; mode: LockMode; granted: boolean }>> {
    const { rows } = await this.watch.query<{ oid: string | null; mode: string; granted: boolean }>(LOCKS, [this.pid]);
    // a predicate lock (SIReadLock) is no table lock
    return rows
      .filter((r) => MODES[r.mode] !== undefined)
      .map((r) => ({ oid: r.oid ?? '', mode: MODES[r.mode]!, granted: r.granted }));
  }

  private relation(oid: string): Relation | undefined {
    return this.before.get(oid) ?? this.known.get(oid);
  }

  /**
   * Runs the statements of one migration file as its tool would (`per-file` and `implicit`: in
   * one transaction; `none`: each alone; explicit BEGIN and COMMIT in the text count) and
   * returns what each did. A statement PostgreSQL refuses ends the file: its transaction is
   * rolled back and it is returned with `error`.
   */
  async traceFile(
    file: Pick<MigrationFile, 'transaction'>,
    statements: readonly Statement[],
  ): Promise<TracedStatement[]> {
    const out: TracedStatement[] = [];
    // the statements of the open transaction: their locks are held until it ends, for the time
    // the statements after them and the COMMIT take (the observer's own queries in between not counted)
    let open: TracedStatement[] = [];
    let taken = new Set<string>();
    let inTransaction = false;
    const begin = async () => {
      await this.run.query('BEGIN');
      this.transactions++;
      inTransaction = true;
      open = [];
      taken = new Set();
    };
    const end = async (sql: string) => {
      const start = performance.now();
      await this.run.query(sql);
      inTransaction = false;
      let ms = performance.now() - start;
      for (const s of [...open].reverse()) {
        ms += s.durationMs;
        for (const lock of s.locks) lock.heldMs = ms;
      }
      open = [];
    };
    if (file.transaction !== 'none') await begin();
    for (const statement of statements) {
      const op = transactionOp(statement);
      const traced: TracedStatement = {
        index: statement.index,
        line: statement.location.line,
        text: statement.text.split('\n')[0]!,
        durationMs: 0,
        transaction: this.transactions,
        observed: 'in-transaction',
        locks: [],
        rewrites: [],
        renames: [],
        scans: [],
      };
      out.push(traced);
      try {
        if (op === 'begin' && !inTransaction) {
          await begin();
          traced.transaction = this.transactions;
          continue;
        }
        if (op === 'end' && inTransaction) {
          await end(statement.text);
          continue;
        }
        const alone = !inTransaction;
        if (alone) await begin();
        traced.transaction = this.transactions;
        const sampled = await this.inTransaction(statement.text, traced, taken).then(
          () => false,
          async (error: Error & { code?: string }) => {
            // 25001: PostgreSQL runs it only outside a transaction block
            if (!alone || error.code !== '25001') throw error;
            await this.run.query('ROLLBACK');
            inTransaction = false;
            traced.transaction = ++this.transactions;
            await this.sampled(statement.text, traced);
            return true;
          },
        );
        if (sampled) continue;
        open.push(traced);
        if (alone) await end('COMMIT');
      } catch (error) {
        traced.error = (error as Error).message;
        const code = (error as { code?: string }).code;
        if (code !== undefined) traced.sqlstate = code;
        if (inTransaction) await this.run.query('ROLLBACK').catch(() => undefined);
        return out;
      }
    }
    if (inTransaction) await end('COMMIT');
    return out;
  }

  /** Runs `sql`, timing it, and records the relations that got a new file; returns the scans of the transaction before and after it. */
  private async rewriting(
    sql: string,
    traced: TracedStatement,
  ): Promise<
    [before: Map<string, { scans: number; rows: number }>, after: Map<string, { scans: number; rows: number }>]
  > {
    const before = await this.state();
    const nodes = new Map(before.relations.map((r) => [r.oid, r.node]));
    this.before = new Map(before.relations.map((r) => [r.oid, this.known.get(r.oid)!]));
    const start = performance.now();
    await this.run.query(sql);
    traced.durationMs = performance.now() - start;
    const after = await this.state();
    for (const r of after.relations) {
      const node = nodes.get(r.oid);
      const was = this.before.get(r.oid);
      if (node !== undefined && node !== '0' && node !== r.node) traced.rewrites.push(this.relation(r.oid)!);
      if (was && (was.name !== r.name || was.schema !== r.schema))
        traced.renames.push({ relation: was, to: { schema: r.schema, name: r.name } });
    }
    return [before.scans, after.scans];
  }

  /** Runs one statement in the open transaction and records its locks (those not taken before), rewrites and scans. */
  private async inTransaction(sql: string, traced: TracedStatement, taken: Set<string>): Promise<void> {
    const [before, after] = await this.rewriting(sql, traced);
    for (const [oid, s] of after) {
      const was = before.get(oid) ?? { scans: 0, rows: 0 };
      const relation = this.relation(oid);
      if (s.scans > was.scans && relation) traced.scans.push({ relation, rows: s.rows - was.rows });
    }
    for (const l of await this.locks()) {
      const relation = this.relation(l.oid);
      const key = `${l.oid}:${l.mode}`;
      if (!relation || taken.has(key)) continue;
      taken.add(key);
      traced.locks.push({ relation, mode: l.mode });
    }
  }

  /**
   * Runs a statement that cannot run in a transaction while the observer holds a snapshot and
   * ACCESS SHARE on every table (CONCURRENTLY waits for older snapshots, an ACCESS EXCLUSIVE
   * request queues), sampling its locks until it waits or ends.
   */
  private async sampled(sql: string, traced: TracedStatement): Promise<void> {
    traced.observed = 'sampled';
    const tables = (await this.relations()).filter((r) => r.kind === 'r' || r.kind === 'p');
    await this.watch.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    let holding = true;
    try {
      if (tables.length)
        await this.watch.query(`LOCK TABLE ${tables.map(quoteQualified).join(', ')} IN ACCESS SHARE MODE`);
      else await this.watch.query('SELECT 1');
      let finished = false;
      const running = this.rewriting(sql, traced).finally(() => (finished = true));
      running.catch(() => undefined);
      const seen = new Set<string>();
      while (!finished) {
        const locks = await this.locks();
        for (const l of locks) {
          const relation = this.relation(l.oid);
          if (!relation || seen.has(`${l.oid}:${l.mode}`)) continue;
          seen.add(`${l.oid}:${l.mode}`);
          traced.locks.push({ relation, mode: l.mode });
        }
        // waiting for the observer: let it go on, and keep sampling until it ends
        if (holding && locks.some((l) => !l.granted)) {
          await this.watch.query('COMMIT');
          holding = false;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      if (holding) await this.watch.query('COMMIT');
      holding = false;
      await running;
    } finally {
      if (holding) await this.watch.query('ROLLBACK').catch(() => undefined);
    }
  }
}

/** BEGIN / START TRANSACTION, COMMIT / END / ROLLBACK, or neither. */
function transactionOp(statement: Statement): 'begin' | 'end' | undefined {
  const kind: string | undefined = statement.node.TransactionStmt?.kind;
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return 'begin';
  if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK') return 'end';
  return undefined;
}
