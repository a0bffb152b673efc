// NOT NULL on an existing column through its recipe, on real PostgreSQL: a CHECK added NOT
// VALID, validated, then SET NOT NULL (or PostgreSQL 18's ADD CONSTRAINT … NOT NULL) trusting
// it without a scan. The result is the migration's as written, constraint names included.
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { runPhase } from '../../src/runner/run.js';
import { applyPhaseFiles, catalog } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `CREATE TABLE accounts (id bigint PRIMARY KEY, "Owner e-mail" text, region text);
INSERT INTO accounts SELECT g, 'o' || g || '@example.com', 'eu' FROM generate_series(1, 5000) g;`;

/** The NOT NULL constraints PostgreSQL 18 lists by name (none before 18, where NOT NULL is no constraint). */
async function notNullConstraints(client: pg.Client): Promise<string[]> {
  if (db.major < 18) return [];
  const { rows } = await client.query<{ x: string }>(
    `SELECT conname || ' ' || pg_get_constraintdef(oid) AS x FROM pg_constraint WHERE conrelid = 'accounts'::regclass AND contype = 'n' ORDER BY 1`,
  );
  return rows.map((r) => r.x);
}

/** The schema and NOT NULL constraints the migration gives, run as written. */
async function asWritten(migration: string) {
  await resetSchema(c);
  await runScript(c, SETUP);
  await runScript(c, migration);
  return { catalog: await catalog(c), notNull: await notNullConstraints(c) };
}

async function planned(migration: string, name: string) {
  const dir = tempTree({ 'm/001_accounts.sql': SETUP, [`m/002_${name}.sql`]: migration });
  return plan({ file: join(dir, `m/002_${name}.sql`), history: join(dir, 'm'), out: join(dir, name) });
}

/** Applies the plan's phase files on this file's client, collecting what PostgreSQL says at DEBUG1 about proving NOT NULL. */
async function applyWatchingScans(p: Awaited<ReturnType<typeof planned>>): Promise<string[]> {
  const said: string[] = [];
  const listen = (n: { message?: string }) =>
    void (/verifying table|sufficient to prove/.test(n.message ?? '') && said.push(n.message!));
  c.on('notice', listen);
  await c.query('SET client_min_messages = debug1');
  try {
    await applyPhaseFiles(c, p.dir, p.manifest);
  } finally {
    await c.query('RESET client_min_messages');
    c.off('notice', listen);
  }
  return said;
}

const cases = [
  { name: 'set', migration: 'ALTER TABLE accounts ALTER COLUMN "Owner e-mail" SET NOT NULL;', minMajor: 12 },
  // PostgreSQL 18: a NOT NULL constraint with a name of its own, which the plan keeps
  {
    name: 'constraint',
    migration: 'ALTER TABLE accounts ADD CONSTRAINT "owner required" NOT NULL "Owner e-mail";',
    minMajor: 18,
  },
];

describe('NOT NULL on an existing column', () => {
  for (const { name, migration, minMajor } of cases) {
    // PostgreSQL 11 scans despite the check (it trusts one from 12 on); ADD CONSTRAINT … NOT NULL is 18+
    describe.runIf(db.major >= minMajor)(migration, () => {
      it('plans the check, its validation and the NOT NULL in contract, the NOT NULL trusting the check without a scan', async () => {
        const expected = await asWritten(migration);
        await resetSchema(c);
        await runScript(c, SETUP);
        const p = await planned(migration, name);
        expect(p.manifest.phases.map((x) => [x.name, x.steps.map((s) => s.id.split(':')[1])])).toEqual([
          ['contract', ['not-null-check-Owner e-mail', 'not-null-validate-Owner e-mail', 'not-null-set-Owner e-mail']],
        ]);
        // one scan, VALIDATE's under SHARE UPDATE EXCLUSIVE; none under the NOT NULL's ACCESS EXCLUSIVE
        // (the column is quoted as "accounts.Owner e-mail" on some majors, "accounts"."Owner e-mail" on others)
        expect(await applyWatchingScans(p)).toEqual([
          'verifying table "accounts"',
          expect.stringMatching(/^existing constraints on column "accounts"?\."?Owner e-mail" are sufficient to prove/),
        ]);
        expect({ catalog: await catalog(c), notNull: await notNullConstraints(c) }).toEqual(expected);
      });

      it('runs through the runner to the schema of the migration as written, and is refused while a NULL is left', async () => {
        const expected = await asWritten(migration);
        await resetSchema(c);
        await runScript(c, SETUP);
        const p = await planned(migration, `${name}_run`);
        await c.query(`UPDATE accounts SET "Owner e-mail" = NULL WHERE id = 7`);
        await expect(runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'contract' })).rejects.toThrow(/check/i);
        await c.query(`UPDATE accounts SET "Owner e-mail" = 'o7@example.com' WHERE id = 7`);
        expect(await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'contract' })).toBe('applied');
        expect({ catalog: await catalog(c), notNull: await notNullConstraints(c) }).toEqual(expected);
      });
    });
  }
});
