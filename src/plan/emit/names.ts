// The layouts `plan --emit` writes, and what a phase becomes in one: data only, so that the CLI can
// offer them without loading emission.
import type { LayoutName } from '../../discover/names.js';

/** Every layout but tern's, whose migrations are numbered without a gap, and temporal-sql-tool's, whose server
 *  expects the schema version it was built with: a plan's phases cannot go among them as migrations of their own
 *  (its plan stays a plan directory, which `pgphase run` applies). */
export type EmitLayout = Exclude<LayoutName, 'tern' | 'temporal-sql-tool'>;

export const EMIT_LAYOUTS: readonly EmitLayout[] = [
  'golang-migrate',
  'prisma',
  'flyway',
  'dbmate',
  'goose',
  'diesel',
  'sqitch',
  'drizzle',
  'node-pg-migrate',
  'supabase',
  'atlas',
  'pop',
  'up-down',
  'version-dirs',
  'liquibase',
  'sqlx',
  'plain',
];

/** One migration a phase becomes in a tool. */
export interface PhaseMigration {
  /** The phase's work runs in the migration, or the migration checks that `pgphase run` has applied it. */
  kind: 'steps' | 'check';
  /** Runs outside a transaction: one CONCURRENTLY statement, which the tool must not wrap in one. */
  noTransaction?: true;
  up: string;
  /** The undo, for the tools that keep down migrations. */
  down: string;
  /** Fails unless the phase is recorded as applied, for the tools that verify a migration (sqitch). */
  verify: string;
}
