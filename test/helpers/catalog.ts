// The schema of a database as PostgreSQL reports it (src/shadow/catalog.ts), for comparing
// the result of a plan with the result of the original migration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { expect, it } from 'vitest';
import { plan, type PlanResult } from '../../src/plan/index.js';
import type { Manifest } from '../../src/plan/manifest.js';
import { tempTree } from './cli.js';
import { resetSchema, runScript } from './db.js';
import { catalog, type Catalog } from '../../src/shadow/catalog.js';

/**
 * Runs a plan's phase files in order as plain SQL, as another migration tool would; each
 * reversible phase is first run and undone by its down file, which must restore the catalog.
 */
export async function applyPhaseFiles(client: pg.Client, planDir: string, manifest: Manifest): Promise<void> {
  for (const phase of manifest.phases) {
    const text = readFileSync(join(planDir, phase.file), 'utf8');
    if (phase.down) {
      const before = await catalog(client);
      await runScript(client, text);
      await runScript(client, readFileSync(join(planDir, phase.down), 'utf8'));
      expect({ phase: phase.name, schema: await catalog(client) }).toEqual({ phase: phase.name, schema: before });
    }
    await runScript(client, text);
  }
}

export interface PlannedAgainstMigration {
  plan: PlanResult;
  /** The catalog (and the rows `data` returns) after the migration as written, and after the plan's phases. */
  written: { schema: Catalog; data: unknown[] };
  planned: { schema: Catalog; data: unknown[] };
}

/**
 * Plans `migration` over `setup` (as the history before it), then, each from a fresh schema
 * `setup`, applies the migration as written and the plan's phase files in order.
 */
export async function planAgainstMigration(
  client: pg.Client,
  k: { setup: string; migration: string; data?: string; pgVersion?: number },
): Promise<PlannedAgainstMigration> {
  const data = async () => (k.data ? (await client.query(k.data)).rows : []);
  // a phase that failed before leaves its transaction open
  await client.query('ROLLBACK');
  await resetSchema(client);
  await runScript(client, k.setup);
  await runScript(client, k.migration);
  const written = { schema: await catalog(client), data: await data() };
  const dir = tempTree({ 'migrations/001_setup.sql': k.setup, 'migrations/002_change.sql': k.migration });
  const result = await plan({
    file: join(dir, 'migrations/002_change.sql'),
    history: join(dir, 'migrations'),
    out: join(dir, 'plan'),
    batchSize: 100,
    ...(k.pgVersion !== undefined && { pgVersion: k.pgVersion }),
  });
  await resetSchema(client);
  await runScript(client, k.setup);
  await applyPhaseFiles(client, result.dir, result.manifest);
  return { plan: result, written, planned: { schema: await catalog(client), data: await data() } };
}

/** A migration that a plan must do as written (the same schema and rows on PostgreSQL), or refuse. */
export interface PlanCase {
  name: string;
  /** The history before the migration (default: the suite's). */
  setup?: string;
  migration: string;
  /** A query whose rows must be the same after the migration and after the plan. */
  data?: string;
  phases?: string[];
  /** The oldest PostgreSQL major whose syntax the case uses (generated columns: 12; gen_random_uuid(): 13). */
  since?: number;
  /** The PostgreSQL major the plan targets (default: the planner's). */
  pgVersion?: number;
  /** The refusal, when no safe plan exists. */
  refused?: RegExp;
}

/** One test per case, on the server of `client` (major `major`): its refusal, or its plan's phases and the migration's schema and rows. */
export function planCases(client: pg.Client, major: number, setup: string, cases: readonly PlanCase[]): void {
  for (const k of cases) {
    it.runIf(major >= (k.since ?? 11))(k.name, async () => {
      const against = {
        setup: k.setup ?? setup,
        migration: k.migration,
        ...(k.data !== undefined && { data: k.data }),
        ...(k.pgVersion !== undefined && { pgVersion: k.pgVersion }),
      };
      if (k.refused) {
        await expect(planAgainstMigration(client, against)).rejects.toThrow(k.refused);
        return;
      }
      const r = await planAgainstMigration(client, against);
      expect(r.plan.manifest.phases.map((p) => p.name)).toEqual(k.phases);
      expect(r.planned).toEqual(r.written);
    });
  }
}

export { catalog, type Catalog } from '../../src/shadow/catalog.js';
