// Rename column and change column type (the column-copy recipes) through the runner on real
// PostgreSQL: sync functions that cannot collide, USING expressions over other columns, the
// collation the original migration gives, and the copies pgphase refuses to plan.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { rollbackPhase, runPhase } from '../../src/runner/run.js';
import { readLiveSchema } from '../../src/runner/introspect.js';
import type { PhaseName } from '../../src/plan/types.js';
import { catalog } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

/** The catalog `migration` gives when applied directly; then `setup` and `data` again, and a plan of the migration over them. */
async function planned(setup: string, migration: string, data = '') {
  await resetSchema(c);
  await runScript(c, setup);
  await runScript(c, migration);
  const expected = await catalog(c);
  await resetSchema(c);
  await runScript(c, `${setup}\n${data}`);
  const dir = tempTree({ 'm/001_setup.sql': setup, 'm/002_change.sql': migration });
  const p = await plan({
    file: join(dir, 'm/002_change.sql'),
    history: join(dir, 'm'),
    out: join(dir, 'plan'),
    batchSize: 100,
  });
  return { ...p, expected };
}

/** The plan of `migration` over `setup`, from the history or from the live database: it must be refused. */
async function refusal(setup: string, migration: string, from: 'history' | 'database'): Promise<string> {
  await resetSchema(c);
  await runScript(c, setup);
  const dir = tempTree({ 'm/001_setup.sql': setup, 'm/002_change.sql': migration });
  const source = from === 'history' ? { history: join(dir, 'm') } : { baseSchema: await readLiveSchema(db.url) };
  return plan({ file: join(dir, 'm/002_change.sql'), ...source, out: join(dir, 'plan') }).then(
    () => 'planned',
    (error: Error) => error.message,
  );
}

async function run(planDir: string, ...phases: PhaseName[]): Promise<void> {
  for (const phase of phases) await runPhase({ planDir, databaseUrl: db.url, phase });
}

const functions = async () =>
  (
    await c.query<{ name: string }>(
      `SELECT proname AS name FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`,
    )
  ).rows.map((r) => r.name);

describe('column copies on real PostgreSQL', () => {
  it('gives two renames whose table and column names run together (a_b.c, a.b_c) a sync function each', async () => {
    const setup = 'CREATE TABLE a_b (id int PRIMARY KEY, c int);\nCREATE TABLE a (id int PRIMARY KEY, b_c int);';
    const p = await planned(
      setup,
      'ALTER TABLE a_b RENAME COLUMN c TO c2;\nALTER TABLE a RENAME COLUMN b_c TO bc2;',
      'INSERT INTO a_b VALUES (1, 1);\nINSERT INTO a VALUES (1, 1);',
    );
    await run(p.dir, 'expand', 'trigger');
    expect(await functions()).toHaveLength(2);
    // undone, the phase runs again: its down drops the functions it created
    await rollbackPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'trigger' });
    expect(await functions()).toEqual([]);
    await run(p.dir, 'trigger');
    expect(await functions()).toHaveLength(2);
    // the old version writes the old names; each table's trigger fills its own copy
    await c.query('INSERT INTO a_b (id, c) VALUES (2, 20)');
    await c.query('INSERT INTO a (id, b_c) VALUES (2, 30)');
    await run(p.dir, 'backfill');
    expect((await c.query('SELECT id, c, c2 FROM a_b ORDER BY id')).rows).toEqual([
      { id: 1, c: 1, c2: 1 },
      { id: 2, c: 20, c2: 20 },
    ]);
    expect((await c.query('SELECT id, b_c, bc2 FROM a ORDER BY id')).rows).toEqual([
      { id: 1, b_c: 1, bc2: 1 },
      { id: 2, b_c: 30, bc2: 30 },
    ]);
    await run(p.dir, 'contract');
    expect(await catalog(c)).toEqual(p.expected);
    expect(await functions()).toEqual([]);
  });

  it('stops the trigger phase at a function of the same name instead of replacing it', async () => {
    const setup = 'CREATE TABLE t (id int PRIMARY KEY, a int);';
    const p = await planned(setup, 'ALTER TABLE t RENAME COLUMN a TO b;');
    const create = p.manifest.phases.find((x) => x.name === 'trigger')!.steps[0]!.sql;
    const fn = /^CREATE FUNCTION ("[^"]+"\."[^"]+")\(\)/.exec(create)![1]!;
    await c.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
    await run(p.dir, 'expand');
    await expect(run(p.dir, 'trigger')).rejects.toThrow(/already exists/);
    expect((await c.query(`SELECT prosrc FROM pg_proc WHERE oid = '${fn}()'::regprocedure`)).rows[0].prosrc).toBe(
      ' BEGIN RETURN NULL; END ',
    );
  });

  it('converts with a USING expression over other columns of the row: each becomes NEW."column" in the trigger', async () => {
    const setup = 'CREATE TABLE t (id int PRIMARY KEY, n int, f int);';
    const p = await planned(
      setup,
      'ALTER TABLE t ALTER COLUMN n TYPE numeric USING n * f;',
      'INSERT INTO t SELECT g, g, 2 FROM generate_series(1, 300) g;',
    );
    await run(p.dir, 'expand', 'trigger');
    // the old version's writes, converted by the trigger from both columns
    await c.query('INSERT INTO t VALUES (301, 5, 3)');
    await c.query('UPDATE t SET f = 10 WHERE id = 1');
    await run(p.dir, 'backfill', 'contract');
    expect(await catalog(c)).toEqual(p.expected);
    expect((await c.query('SELECT id, n::text FROM t WHERE id IN (1, 2, 301) ORDER BY id')).rows).toEqual([
      { id: 1, n: '10' },
      { id: 2, n: '4' },
      { id: 301, n: '15' },
    ]);
  });

  it('refuses a USING expression that reads more than the columns of the row', async () => {
    const message = await refusal(
      'CREATE TABLE t (id int PRIMARY KEY, n int);',
      'ALTER TABLE t ALTER COLUMN n TYPE text USING t::text;',
      'history',
    );
    expect(message).toContain('USING of "n" refers to "t", which is not a column of "public"."t"');
  });

  it('gives the default collation of the new type when the migration gives no COLLATE, as PostgreSQL does', async () => {
    const setup = `CREATE TABLE li (id int PRIMARY KEY, c varchar(20) COLLATE "C" DEFAULT 'z');`;
    const p = await planned(
      setup,
      'ALTER TABLE li ALTER COLUMN c TYPE varchar(10);',
      `INSERT INTO li SELECT g, 'v' || g FROM generate_series(1, 50) g;`,
    );
    await run(p.dir, 'expand', 'trigger', 'backfill', 'contract');
    const collation = await c.query(
      `SELECT (SELECT quote_ident(collname) FROM pg_collation WHERE oid = attcollation) AS collation FROM pg_attribute WHERE attrelid = 'li'::regclass AND attname = 'c'`,
    );
    expect(collation.rows[0].collation).toBe('"default"');
    expect(await catalog(c)).toEqual(p.expected);
  });

  // plain names, and a schema, table and column that need quoting
  for (const [t, id, schema] of [
    ['t', 'id', ''],
    ['"Sh op"."o""rders"', '"I d"', 'DROP SCHEMA IF EXISTS "Sh op" CASCADE;\nCREATE SCHEMA "Sh op";\n'],
  ] as const)
    it(`changes a serial primary key to bigint: the copy takes the key and the sequence, and new rows draw from it (${t}.${id})`, async () => {
      const p = await planned(
        `${schema}CREATE TABLE ${t} (${id} serial PRIMARY KEY, n int);`,
        `ALTER TABLE ${t} ALTER COLUMN ${id} TYPE bigint;`,
        `INSERT INTO ${t} (n) SELECT g FROM generate_series(1, 250) g;`,
      );
      expect(p.manifest.phases.map((x) => x.name)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
      await run(p.dir, 'expand', 'trigger');
      // the old version's insert takes an id from the sequence; the trigger copies it
      await c.query(`INSERT INTO ${t} (n) VALUES (251)`);
      await run(p.dir, 'backfill', 'contract');
      // the catalog as the migration leaves it: the key, the default, the sequence and its owner
      expect(await catalog(c)).toEqual(p.expected);
      await c.query(`INSERT INTO ${t} (n) VALUES (252)`);
      expect(
        (await c.query(`SELECT count(*)::int AS n, max(${id})::int AS top, sum(${id} - n)::int AS off FROM ${t}`)).rows,
      ).toEqual([{ n: 252, top: 252, off: 0 }]);
      await c.query('DROP SCHEMA IF EXISTS "Sh op" CASCADE');
    });

  it('renames a serial primary key column: the old version inserts by the old name, the new one by the new name', async () => {
    const p = await planned(
      'CREATE TABLE t (id serial PRIMARY KEY, n int);',
      'ALTER TABLE t RENAME COLUMN id TO uid;',
      'INSERT INTO t (n) SELECT g FROM generate_series(1, 150) g;',
    );
    await run(p.dir, 'expand', 'trigger');
    await c.query('INSERT INTO t (n) VALUES (151)');
    await c.query('INSERT INTO t (uid, n) VALUES (1000, 1000)');
    await run(p.dir, 'backfill', 'contract');
    expect(await catalog(c)).toEqual(p.expected);
    const after = await c.query('INSERT INTO t (n) VALUES (152) RETURNING uid');
    expect((await c.query('SELECT uid, n FROM t WHERE n IN (151, 1000) ORDER BY n')).rows).toEqual([
      { uid: 151, n: 151 },
      { uid: 1000, n: 1000 },
    ]);
    // from the sequence: the original's default drew a value for the row the new version gave its own uid (a gap,
    // as sequences leave)
    expect(after.rows[0].uid).toBeGreaterThan(151);
  });

  it('changes a column of a composite unique key, DEFERRABLE INITIALLY DEFERRED with INCLUDE columns, and renames a bigserial column', async () => {
    const setup = `CREATE TABLE u (id int PRIMARY KEY, tenant int NOT NULL, code int NOT NULL, note text,
  CONSTRAINT u_code_key UNIQUE (tenant, code) INCLUDE (note) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE s (id int PRIMARY KEY, seq bigserial);`;
    const p = await planned(
      setup,
      'ALTER TABLE u ALTER COLUMN code TYPE bigint;\nALTER TABLE s RENAME COLUMN seq TO position;',
      'INSERT INTO u SELECT g, g % 3, g, NULL FROM generate_series(1, 120) g;\nINSERT INTO s (id) SELECT g FROM generate_series(1, 120) g;',
    );
    await run(p.dir, 'expand', 'trigger', 'backfill', 'contract');
    expect(await catalog(c)).toEqual(p.expected);
    await c.query('INSERT INTO s (id) VALUES (121)');
    expect((await c.query('SELECT position::int FROM s WHERE id = 121')).rows).toEqual([{ position: 121 }]);
  });

  it('keeps the COLLATE of a catalog-only type change', async () => {
    const setup = 'CREATE TABLE t (id int PRIMARY KEY, c varchar(20) COLLATE "C");';
    const p = await planned(setup, 'ALTER TABLE t ALTER COLUMN c TYPE varchar(30) COLLATE "C";');
    expect(p.manifest.phases.map((x) => x.name)).toEqual(['expand']);
    await run(p.dir, 'expand');
    expect(await catalog(c)).toEqual(p.expected);
  });

  for (const from of ['history', 'database'] as const) {
    it(`refuses a copy of a column other tables' foreign keys reference: contract would drop the key they depend on (schema from the ${from})`, async () => {
      const message = await refusal(
        'CREATE TABLE t (id serial PRIMARY KEY);\nCREATE TABLE "o""k" (id int PRIMARY KEY, t_id int REFERENCES t);',
        'ALTER TABLE t ALTER COLUMN id TYPE bigint;',
        from,
      );
      expect(message).toContain(
        '"id" of "public"."t" is referenced by constraint "o""k_t_id_fkey" of "public"."o""k", which depend on the key contract drops with "id"',
      );
    });

    it(`refuses a copy of a column of a table that views read, naming them: contract's DROP COLUMN fails on one that uses the column (schema from the ${from})`, async () => {
      const setup =
        'CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE TABLE o (id int PRIMARY KEY, a int);\nCREATE VIEW v AS SELECT t.id, t.a FROM t JOIN o USING (id);\nCREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nCREATE VIEW w AS SELECT * FROM v;';
      const rename = await refusal(setup, 'ALTER TABLE t RENAME COLUMN a TO b;', from);
      expect(rename).toContain('contract drops "a" of "public"."t", which fails while a view uses it');
      expect(rename).toMatch(
        /, and "public"\."t" is read by ("public"\."v", "public"\."m"|"public"\."m", "public"\."v"); drop the views/,
      );
      expect(await refusal(setup, 'ALTER TABLE t ALTER COLUMN a TYPE text;', from)).toContain(
        'which fails while a view uses it',
      );
      // a view follows a renamed table; a table no view reads is planned
      const renamedTable =
        'CREATE TABLE s (id int PRIMARY KEY, a int);\nCREATE VIEW x AS SELECT a FROM s;\nALTER TABLE s RENAME TO s2;';
      expect(await refusal(renamedTable, 'ALTER TABLE s2 RENAME COLUMN a TO b;', from)).toMatch(
        /"public"\."s2" is read by "public"\."x";/,
      );
      expect(await refusal(setup, 'ALTER TABLE o RENAME COLUMN a TO b;', from)).toMatch(
        /"public"\."o" is read by "public"\."v";/,
      );
      expect(
        await refusal(
          `${setup}\nCREATE TABLE z (id int PRIMARY KEY, a int);`,
          'ALTER TABLE z RENAME COLUMN a TO b;',
          from,
        ),
      ).toBe('planned');
    });
  }
});
