// verify looks up in the catalog the objects a plan's phases leave, in the same round trip as
// the phase log: each kind of object, hostile names, a column of the wrong type.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatVerify } from '../../src/cli/verify.js';
import { plan } from '../../src/plan/index.js';
import type { SchemaObject } from '../../src/plan/types.js';
import { runPhase } from '../../src/runner/run.js';
import { ensureState } from '../../src/runner/state.js';
import { describeObject, readState, verify } from '../../src/runner/verify.js';
import { tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const hostile = 'a"b';
const reserved = 'select';
const unicode = 'größe_ñ';
const long = 'x'.repeat(63);

await c.query(`
  CREATE SCHEMA "${hostile.replace(/"/g, '""')}";
  CREATE TABLE "${hostile.replace(/"/g, '""')}"."${reserved}" (id bigint PRIMARY KEY, "${unicode}" varchar(20), "${long}" int CONSTRAINT "${long.slice(6)}_check" CHECK ("${long}" > 0));
  CREATE FUNCTION "${hostile.replace(/"/g, '""')}".sync() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
  CREATE TRIGGER "${unicode}" BEFORE INSERT ON "${hostile.replace(/"/g, '""')}"."${reserved}" FOR EACH ROW EXECUTE FUNCTION "${hostile.replace(/"/g, '""')}".sync();
  CREATE VIEW "${reserved}_v" AS SELECT 1 AS one;
`);

const table = { schema: hostile, table: reserved };
const objects: SchemaObject[] = [
  { kind: 'column', ...table, name: unicode, type: 'varchar(20)' }, // 0 present
  { kind: 'column', ...table, name: long, type: 'integer' }, // 1 present
  { kind: 'column', ...table, name: long, type: 'bigint' }, // 2 the wrong type
  { kind: 'column', ...table, name: 'gone', type: 'text' }, // 3 missing
  { kind: 'constraint', ...table, name: `${long.slice(6)}_check` }, // 4 present
  { kind: 'constraint', ...table, name: 'other_check' }, // 5 missing
  { kind: 'trigger', ...table, name: unicode }, // 6 present
  { kind: 'trigger', ...table, name: 'sync' }, // 7 missing
  { kind: 'relation', schema: hostile, name: reserved }, // 8 present (table)
  { kind: 'relation', schema: 'public', name: `${reserved}_v` }, // 9 present (view)
  { kind: 'relation', schema: 'public', name: `${reserved}_pkey` }, // 10 missing: the index is in the other schema
  { kind: 'relation', schema: hostile, name: `${reserved}_pkey` }, // 11 present (index)
  { kind: 'function', schema: hostile, name: 'sync' }, // 12 present
  { kind: 'function', schema: 'public', name: 'sync' }, // 13 missing
  { kind: 'column', schema: 'nowhere', table: 'none', name: 'x', type: 'text' }, // 14 missing: no such schema
];

describe('verify reads the schema', () => {
  it('names exactly the objects the catalog lacks, whatever their names', async () => {
    const state = await readState(c, objects);
    expect([...state.missing].sort((a, b) => a - b)).toEqual([2, 3, 5, 7, 10, 13, 14]);
  });

  it('reads the objects without a pgphase schema in the database (a database another tool migrated)', async () => {
    const state = await readState(c, objects.slice(0, 4));
    expect(state.entries).toEqual([]);
    expect([...state.missing].sort()).toEqual([2, 3]);
  });

  it('reads the phase log and the objects in one round trip', async () => {
    await c.query(
      `CREATE SCHEMA pgphase; CREATE TABLE pgphase.phase_log (plan_id text, phase text, status text, checksum text, steps_done text[], run_by jsonb)`,
    );
    await c.query(`INSERT INTO pgphase.phase_log VALUES ('p', 'expand', 'applied', 'abc', '{}', '{}')`);
    let queries = 0;
    const query = c.query.bind(c);
    (c as { query: unknown }).query = (...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    };
    try {
      const state = await readState(c, objects.slice(2, 4));
      expect(state.entries.map((e) => [e.planId, e.phase])).toEqual([['p', 'expand']]);
      expect([...state.missing].sort()).toEqual([0, 1]);
      expect(queries).toBe(1);
    } finally {
      (c as { query: unknown }).query = query;
      await c.query('DROP SCHEMA pgphase CASCADE');
    }
  });

  it('says which object is missing in words a reader can find in the catalog', () => {
    expect(objects.slice(0, 1).map(describeObject)).toEqual([`column "a""b"."select"."größe_ñ" (varchar(20))`]);
    expect(describeObject(objects[7]!)).toBe('trigger "sync" of "a""b"."select"');
    expect(describeObject(objects[9]!)).toBe('relation "select_v"');
  });
});

describe('verify checks the schema a plan leaves, not only its records', async () => {
  const history = 'CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);';
  const migration = 'ALTER TABLE accounts RENAME COLUMN name TO full_name;';
  const root = tempTree({ 'm/001_accounts.sql': history, 'm/002_rename.sql': migration });
  const planned = await plan({
    file: join(root, 'm/002_rename.sql'),
    history: join(root, 'm'),
    out: join(root, 'plans/002_rename'),
  });
  const plansDir = join(root, 'plans');
  const fresh = async () => {
    const other = await testDatabase();
    const client = await other.client();
    await client.query(history);
    return { url: other.url, client };
  };

  it('lists the objects each phase leaves in plan.json', () => {
    const present = Object.fromEntries(
      planned.manifest.phases.map((p) => [p.name, (p.present ?? []).map(describeObject)]),
    );
    expect(present.expand).toEqual(['column "accounts"."full_name" (text)']);
    expect(present.trigger).toEqual(
      expect.arrayContaining([
        'column "accounts"."full_name" (text)',
        expect.stringMatching(/^function "accounts_name_\w+_pgphase_sync"$/),
        expect.stringMatching(/^trigger "accounts_name_\w+_pgphase_sync" of "accounts"$/),
      ]),
    );
    expect(present.contract).toEqual(['column "accounts"."full_name" (text)']);
  });

  it('a database whose records say applied but whose schema lacks the objects is incompatible, naming them', async () => {
    const { url, client } = await fresh();
    for (const phase of ['expand', 'trigger'] as const)
      await runPhase({ planDir: join(plansDir, '002_rename'), databaseUrl: url, phase });
    expect((await verify({ plansDir, databaseUrl: url })).compatible).toBe(true);
    const trigger = (
      await client.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts'::regclass AND NOT tgisinternal`,
      )
    ).rows[0]!.tgname;
    await client.query(`DROP TRIGGER ${trigger} ON accounts`);
    const result = await verify({ plansDir, databaseUrl: url });
    expect(result.problems).toEqual([
      {
        plan: '002_rename',
        kind: 'schema',
        message: `plan 002_rename trigger is recorded as applied, but the database lacks trigger "${trigger}" of "accounts"; something undid it, or this is not the database the plan ran on`,
      },
    ]);
  });

  it('records copied into an unrelated database do not make it compatible', async () => {
    const ran = await fresh();
    for (const phase of ['expand', 'trigger'] as const)
      await runPhase({ planDir: join(plansDir, '002_rename'), databaseUrl: ran.url, phase });
    const rows = (
      await ran.client.query(`SELECT plan_id, phase, status, checksum, steps_done, run_by FROM pgphase.phase_log`)
    ).rows;
    const other = await fresh();
    await ensureState(other.client);
    for (const r of rows) {
      await other.client.query(
        `INSERT INTO pgphase.phase_log (plan_id, phase, status, checksum, steps_done, run_by) VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.plan_id, r.phase, r.status, r.checksum, r.steps_done, r.run_by],
      );
    }
    const result = await verify({ plansDir, databaseUrl: other.url });
    expect(result.compatible).toBe(false);
    expect(result.problems[0]!.message).toMatch(
      /^plan 002_rename trigger is recorded as applied, but the database lacks column "accounts"\."full_name" \(text\), function /,
    );
  });

  it('a database migrated to the same shape by another tool passes, applied outside pgphase', async () => {
    const { url, client } = await fresh();
    await client.query(migration);
    const result = await verify({ plansDir, databaseUrl: url });
    expect(result).toEqual({
      compatible: true,
      problems: [],
      plans: [{ id: '002_rename', shipped: true, applied: [], outside: true }],
    });
    expect(formatVerify(result)).toBe(
      'compatible: the database has what the 1 plan of this release needs (1 applied outside pgphase: no records, the schema has their objects)\n',
    );
    // and one where it was not applied at all is not
    const bare = await fresh();
    expect((await verify({ plansDir, databaseUrl: bare.url })).problems.map((p) => p.kind)).toEqual(['missing']);
  });
});
