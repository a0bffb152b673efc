import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema, readManifest } from '../../src/plan/manifest.js';
import { plan } from '../../src/plan/index.js';
import { tempTree } from '../helpers/cli.js';
import type { PgNode } from '../../src/sql/source.js';

const dir = tempTree({
  'm/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);',
  'm/002_rename.sql':
    'ALTER TABLE users RENAME COLUMN name TO full_name;\nCREATE INDEX users_name ON users (full_name);',
});
const result = await plan({ file: join(dir, 'm/002_rename.sql'), history: join(dir, 'm'), out: join(dir, 'plan') });

function tamper(edit: (json: PgNode) => void): string {
  const copy = tempTree({});
  const json = JSON.parse(readFileSync(join(result.dir, 'plan.json'), 'utf8'));
  edit(json);
  writeFileSync(join(copy, 'plan.json'), JSON.stringify(json));
  return copy;
}

/** Plans `sql` as m/002.sql over the history m/ of `dir`. */
async function planAs(dir: string, sql: string) {
  writeFileSync(join(dir, 'm/002.sql'), sql);
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), force: true });
}

const phaseNames = async (planned: ReturnType<typeof planAs>) => (await planned).manifest.phases.map((x) => x.name);

describe('plan.json', () => {
  it('round-trips through its schema', () => {
    const json = JSON.parse(readFileSync(join(result.dir, 'plan.json'), 'utf8'));
    expect(manifestSchema.parse(json)).toEqual(json);
    expect(readManifest(result.dir)).toEqual(result.manifest);
  });

  it('composes a rename and an index into one plan, with checksums of the phase files', () => {
    const m = result.manifest;
    expect(m.phases.map((p) => p.name)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect(m.phases[0]!.steps.map((s) => s.id)).toEqual(['expand:add-full_name', 'expand:create-index-users_name']);
    expect(m.phases[2]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 'users' },
        key: ['id'],
        set: '"full_name" = "name"',
        where: '"full_name" IS DISTINCT FROM "name"',
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
    expect(m.checks).toEqual([
      { before: 'contract', sql: 'SELECT 1 FROM "public"."users" WHERE "full_name" IS DISTINCT FROM "name" LIMIT 1' },
    ]);
    for (const p of m.phases)
      expect(
        createHash('sha256')
          .update(readFileSync(join(result.dir, p.file)))
          .digest('hex'),
      ).toBe(p.sha256);
    expect(readFileSync(join(result.dir, '4-contract.down.sql'), 'utf8')).toMatch(/cannot be undone/);
    expect(readFileSync(join(result.dir, 'README.md'), 'utf8')).toMatch(
      /## 3-backfill\.sql — backfill\n\nDeploy the new version before this phase/,
    );
  });

  it('refuses a tampered or invalid plan.json with one line naming the field', () => {
    expect(() => readManifest(tamper((j) => (j.phases[0].sha256 = 'abc')))).toThrow(
      /plan\.json: phases\.0\.sha256: expected a sha256 hex digest$/,
    );
    expect(() => readManifest(tamper((j) => (j.phases[1].name = 'explode')))).toThrow(/phases\.1\.name: /);
    expect(() => readManifest(tamper((j) => (j.extra = true)))).toThrow(/\(top level\): .*"extra"/);
    expect(() => readManifest(tamper((j) => delete j.source))).toThrow(/source: /);
    expect(() => readManifest(tempTree({ 'plan.json': '{ nope' }))).toThrow(/invalid JSON/);
    expect(() => readManifest(tempTree({}))).toThrow(/cannot read the plan \(ENOENT\); run `pgphase plan` first/);
  });

  it('will not overwrite a plan without force, and writes nothing half', async () => {
    await expect(
      plan({ file: join(dir, 'm/002_rename.sql'), history: join(dir, 'm'), out: join(dir, 'plan') }),
    ).rejects.toThrow(/already exists; pass --force/);
    const again = await plan({
      file: join(dir, 'm/002_rename.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'plan'),
      force: true,
      batchSize: 50,
    });
    expect(again.manifest.phases[2]!.backfills![0]!.batchSize).toBe(50);
  });

  it('refuses data changes it cannot batch: a key update, a statement mixing phases', async () => {
    const d = tempTree({ 'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY, n int); CREATE TABLE u (id int);' });
    const cases: Array<[string, RegExp]> = [
      ['UPDATE t SET id = id + 1000;', /changes the key column "id" that batches walk by/],
      ['CREATE TABLE w (a int);\nDROP TABLE t, w;', /mixes changes that go into different phases/],
    ];
    for (const [sql, reason] of cases) {
      await expect(planAs(d, sql)).rejects.toThrow(reason);
    }
  });

  it('splits a constraint written on a column added to an existing table into the recipes that build it without blocking', async () => {
    const d = tempTree({ 'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE p (id int PRIMARY KEY);' });
    const planned: Record<string, string[]> = {
      'email text UNIQUE': ['expand', 'contract'],
      'score int DEFAULT 0 CHECK (score >= 0)': ['expand', 'backfill'],
      'p_id int REFERENCES p': ['expand', 'backfill'],
      'token uuid DEFAULT gen_random_uuid() UNIQUE': ['expand', 'backfill', 'contract'],
    };
    for (const [column, phases] of Object.entries(planned))
      expect(await phaseNames(planAs(d, `ALTER TABLE t ADD COLUMN ${column};`))).toEqual(phases);
    expect(await phaseNames(planAs(d, "ALTER TABLE t ADD COLUMN email text NOT NULL DEFAULT '';"))).toEqual(['expand']);
    // a NULL default fills nothing: the column is required, nullable until contract
    expect(await phaseNames(planAs(d, 'ALTER TABLE t ADD COLUMN email text NOT NULL DEFAULT NULL::text;'))).toEqual([
      'expand',
      'contract',
    ]);
  });

  it('treats a table that CREATE TABLE IF NOT EXISTS leaves alone as the existing table it is', async () => {
    const d = tempTree({
      'm/001.sql': 'CREATE TABLE users (id int PRIMARY KEY, name text);',
      'm/002.sql':
        'CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, name text);\nALTER TABLE users DROP COLUMN name;',
    });
    const planned = await plan({ file: join(d, 'm/002.sql'), history: join(d, 'm') });
    expect(planned.manifest.phases.map((x) => [x.name, x.steps.map((st) => st.id)])).toEqual([
      ['expand', ['expand:as-written-1']],
      ['contract', ['contract:drop-name']],
    ]);
  });

  it('builds a unique index on a table that a data change written before it changes in the backfill, after it', async () => {
    const d = tempTree({ 'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY, email text);' });
    const cases: Array<[string, string, string]> = [
      [
        'DELETE FROM t WHERE id NOT IN (SELECT min(id) FROM t GROUP BY email);\nCREATE UNIQUE INDEX CONCURRENTLY t_email ON t (email);',
        'backfill:as-written-2',
        'the unique index "t_email"',
      ],
      [
        'UPDATE t SET email = lower(email);\nALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);',
        'backfill:index-t_email_key',
        'the key "t_email_key"',
      ],
    ];
    for (const [sql, first, what] of cases) {
      const p = await planAs(d, sql);
      const backfill = p.manifest.phases.find((x) => x.name === 'backfill')!;
      expect(backfill.backfills?.map((b) => b.afterSteps)).toEqual([0]);
      expect(backfill.steps[0]!.id).toBe(first);
      expect(backfill.requires).toContain(
        `the new version, which must work without ${what} on "t" until the backfill builds it after the data change written above it`,
      );
    }
    // written the other way round, the phases follow the migration's order
    expect(
      await phaseNames(
        planAs(d, 'CREATE UNIQUE INDEX CONCURRENTLY t_email ON t (email);\nUPDATE t SET email = lower(email);'),
      ),
    ).toEqual(['expand', 'backfill']);
  });

  it('refuses SET search_path: the runner would keep it for every later step, whose SQL names the schema the plan resolved', async () => {
    const d = tempTree({
      'm/001.sql':
        'CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, a int); CREATE TABLE public.t (id int PRIMARY KEY, a int);',
      'm/002.sql': 'SET search_path = app;\nALTER TABLE t RENAME COLUMN a TO b;',
      'm/003.sql': "SET lock_timeout = '2s';\nALTER TABLE app.t RENAME COLUMN a TO b;",
    });
    await expect(plan({ file: join(d, 'm/002.sql'), history: join(d, 'm') })).rejects.toThrow(
      /002\.sql:1:1: SET search_path changes the schema that the unqualified names after it refer to; qualify those names/,
    );
    const qualified = await plan({ file: join(d, 'm/003.sql'), history: join(d, 'm') });
    expect(qualified.manifest.phases[0]!.steps.map((x) => x.sql).join('\n')).toContain('"app"."t"');
  });

  it('refuses what it cannot make safe, and places it with --allow-unsafe', async () => {
    const d = tempTree({ 'm/001.sql': 'CREATE TABLE t (id int PRIMARY KEY, r int);', 'm/002.sql': 'VACUUM FULL t;' });
    await expect(plan({ file: join(d, 'm/002.sql'), history: join(d, 'm') })).rejects.toThrow(
      /cannot plan this migration safely[\s\S]*002\.sql:1:1: VACUUM FULL rewrites the table/,
    );
    const unsafe = await plan({ file: join(d, 'm/002.sql'), history: join(d, 'm'), allowUnsafe: true });
    expect(unsafe.manifest.warnings).toEqual([
      expect.stringMatching(/^line 1: VACUUM FULL rewrites the table .* \(placed in contract\)$/),
    ]);
    expect(readFileSync(join(unsafe.dir, 'README.md'), 'utf8')).toContain('## ⚠ Unsafe');
  });
});
