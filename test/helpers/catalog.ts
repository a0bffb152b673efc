// The schema of a database as PostgreSQL reports it, for comparing the result of a plan
// with the result of the original migration. Column order is left out: a plan adds the
// replacement column at the end, and no correct application depends on the order. NOT NULL
// is compared on the columns: PostgreSQL 18 also lists it as a named constraint, whose name
// follows the column it was first set on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import type { Manifest } from '../../src/plan/manifest.js';
import { runScript } from './db.js';

export interface Catalog {
  columns: string[];
  constraints: string[];
  indexes: string[];
  comments: string[];
  triggers: string[];
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
    triggers: await q(`SELECT t.tgname AS x FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`),
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
