// What a plan is made of. A recipe computes steps; only the runner executes them.
import type { LockMode } from '../sql/locks.js';

export const PHASES = ['expand', 'trigger', 'backfill', 'contract'] as const;

/** The format version of plan.json this pgphase writes and reads. */
export const MANIFEST_VERSION = 1;
export type PhaseName = (typeof PHASES)[number];

export interface Step {
  /** Deterministic: the same migration and schema always give the same ids. */
  id: string;
  phase: PhaseName;
  sql: string;
  /** SQL that undoes the step; undefined when it cannot be undone (contract, data changes). */
  down?: string;
  /** The strongest table lock the step takes, for the reviewer and the runner. */
  lockMode?: LockMode;
  /** False for CONCURRENTLY statements, which PostgreSQL refuses inside a transaction. */
  transactional: boolean;
}

/**
 * An object a plan leaves in the schema after one of its phases, as verify looks it up in the
 * catalog: a column (with its type), a constraint or trigger of a table, a relation (table,
 * view, index, sequence) or a function, by name.
 */
export type SchemaObject =
  | { kind: 'column'; schema: string; table: string; name: string; type: string }
  | { kind: 'constraint' | 'trigger'; schema: string; table: string; name: string }
  | { kind: 'relation' | 'function'; schema: string; name: string };

/**
 * A batched, resumable data change over keyset batches of `table` by `key`: `UPDATE table SET set
 * WHERE where` (a DELETE when there is no `set`), or a whole `statement` (an alias, FROM or USING,
 * WITH, INSERT … SELECT), whose batches walk `table`, the target or the SELECT's leading table.
 */
export interface Backfill {
  table: { schema: string; name: string };
  key: string[];
  /** The SET list, as SQL; undefined for a DELETE. */
  set?: string;
  /** Rows that still need the change, as SQL; undefined with `statement`. */
  where?: string;
  statement?: string;
  /** Computed once, before the first batch, into a table the batches apply (batch.ts keysTable): a DELETE or UPDATE that reads its own table, an INSERT … SELECT that reads its target or computes across rows. */
  snapshot?: true;
  /** The application's triggers (as the starting schema has them) that fire on its batches. */
  triggers?: string[];
  /**
   * An UPDATE that changes no value (`SET c = c`): written for the application's triggers it
   * fires, which therefore fire on its batches whatever the run's --backfill-triggers says.
   */
  fireTriggers?: true;
  /** Can the phase be undone around it? True for a copy the trigger keeps anyway; false for the migration's own data changes. */
  reversible: boolean;
}

/** A backfill in its phase: it runs after the first `afterSteps` steps of the phase. */
export interface PlacedBackfill extends Backfill {
  afterSteps: number;
}

/** What a recipe gives the planner: steps, backfills, checks and what must be deployed when. */
export interface RecipeOutput {
  steps: Step[];
  backfills: Backfill[];
  /** SQL returning the rows that block the contract phase (e.g. not yet backfilled). */
  checks: string[];
  /** What must be deployed before a phase may run, per phase. */
  requires: Partial<Record<PhaseName, string>>;
  /** For the reviewer: what the application versions must tolerate during the overlap. */
  notes: string[];
}

export function emptyOutput(): RecipeOutput {
  return { steps: [], backfills: [], checks: [], requires: {}, notes: [] };
}
