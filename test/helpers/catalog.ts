// The schema of a database as PostgreSQL reports it, for comparing the result of a plan
// with the result of the original migration. Column order is left out: a plan adds the
// replacement column at the end, and no correct application depends on the order. NOT NULL
// is compared on the columns: PostgreSQL 18 also lists it as a named constraint, whose name
// follows the column it was first set on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { plan, type PlanResult } from '../../src/plan/index.js';
import type { Manifest } from '../../src/plan/manifest.js';
import { tempTree } from './cli.js';
import { resetSchema, runScript } from './db.js';

export interface Catalog {
  columns: string[];
  constraints: string[];
  indexes: string[];
  comments: string[];
  triggers: string[];
  views: string[];
  functions: string[];
}

export async function catalog(client: pg.Client, schema = 'public'): Promise<Catalog> {
  const q = async (sql: string) => (await client.query<{ x: string }>(sql, [schema])).rows.map((r) => r.x).sort();
  return {
    columns: await q(`SELECT format('%s.%s %s%s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END,
        CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
        coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS x
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped`),
    constraints: await q(`SELECT format('%s.%s %s%s', c.relname, k.conname, pg_get_constraintdef(k.oid), CASE WHEN k.convalidated THEN '' ELSE ' (not validated)' END) AS x
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND k.contype <> 'n'`),
    indexes: await q(`SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END AS x
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`),
    comments: await q(`SELECT format('%s%s %s', c.relname, coalesce('.' || a.attname, ''), d.description) AS x
      FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
     WHERE n.nspname = $1`),
    triggers: await q(`SELECT pg_get_triggerdef(t.oid) AS x FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`),
    views: await q(`SELECT format('%s %s: %s', c.relkind, c.relname, pg_get_viewdef(c.oid)) AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')`),
    functions: await q(`SELECT pg_get_functiondef(p.oid) AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.prokind IN ('f', 'p')`),
  };
}

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
export async function planAgainstMigration(client: pg.Client, k: { setup: string; migration: string; data?: string }): Promise<PlannedAgainstMigration> {
  const data = async () => (k.data ? (await client.query(k.data)).rows : []);
  // a phase that failed before leaves its transaction open
  await client.query('ROLLBACK');
  await resetSchema(client);
  await runScript(client, k.setup);
  await runScript(client, k.migration);
  const written = { schema: await catalog(client), data: await data() };
  const dir = tempTree({ 'migrations/001_setup.sql': k.setup, 'migrations/002_change.sql': k.migration });
  const result = await plan({ file: join(dir, 'migrations/002_change.sql'), history: join(dir, 'migrations'), out: join(dir, 'plan'), batchSize: 100 });
  await resetSchema(client);
  await runScript(client, k.setup);
  await applyPhaseFiles(client, result.dir, result.manifest);
  return { plan: result, written, planned: { schema: await catalog(client), data: await data() } };
}
