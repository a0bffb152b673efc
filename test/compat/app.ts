// An application version as the compatibility proof sees it: its queries, run in rounds on
// its own pinned connection, each round with keys of its own, remembering what every write
// must leave in its row so that nothing written can be lost unnoticed.
import type pg from 'pg';

/** Rows 1..SETUP_ROWS exist before the migration in every case's main table. */
export const SETUP_ROWS = 3000;

export interface Query {
  sql: string;
  params: unknown[];
  /** The rows it must return or change: an application that cannot find what it just wrote is broken too. */
  rows?: number;
  /** Row `key` (its id) must afterwards hold these column values: what was written and every copy of it. */
  wrote?: [key: number, columns: Record<string, unknown>];
}

/**
 * What one round may use: ids `id`…`id + 9` are unused, and `row` is a row of the setup
 * that no other version writes (versions own alternate rows), so no write overwrites another's.
 */
export interface Round {
  id: number;
  row: number;
}

export type Queries = (round: Round) => Query[];

export class AppVersion {
  private started = 0;
  private finished = 0;
  /** Per row, the columns the last write to it must have left. */
  readonly written = new Map<number, Record<string, unknown>>();

  constructor(
    readonly name: string,
    private readonly client: pg.Client,
    /** Ids this version inserts start here; versions get far-apart bases. */
    private readonly firstId: number,
    /** 0: this version updates the odd setup rows, 1: the even ones. */
    private readonly parity: 0 | 1,
    private readonly queries: Queries,
  ) {}

  /** Runs every query once; returns the failures (an error, or a wrong row count), one line each. */
  async round(): Promise<string[]> {
    const i = this.started++;
    const round = { id: this.firstId + 10 * i, row: 1 + this.parity + ((2 * i) % SETUP_ROWS) };
    const failures: string[] = [];
    for (const q of this.queries(round)) {
      try {
        const result = await this.client.query(q.sql, q.params);
        if (q.rows !== undefined && result.rowCount !== q.rows)
          failures.push(`${this.name}: ${q.sql}: ${result.rowCount} rows, expected ${q.rows}`);
        else if (q.wrote) this.written.set(q.wrote[0], { ...this.written.get(q.wrote[0]), ...q.wrote[1] });
      } catch (error) {
        failures.push(`${this.name}: ${q.sql}: ${(error as Error).message}`);
      }
    }
    this.finished++;
    return failures;
  }

  /** Rounds run to the end so far. */
  get roundsRun(): number {
    return this.finished;
  }
}

/**
 * Runs `work` while every version loops its rounds on its own connection, from before the
 * work starts until it is over; returns the work's result and every failure of the versions.
 */
export async function whileRunning<T>(
  work: () => Promise<T>,
  versions: AppVersion[],
): Promise<{ result: T; failures: string[] }> {
  let done = false;
  const failures: string[] = [];
  const loops = versions.map(async (v) => {
    do failures.push(...(await v.round()));
    while (!done);
  });
  try {
    const result = await work();
    done = true;
    await Promise.all(loops);
    return { result, failures };
  } finally {
    // a failed work still waits for the loops: nothing may keep querying into the next case
    done = true;
    await Promise.allSettled(loops);
  }
}
