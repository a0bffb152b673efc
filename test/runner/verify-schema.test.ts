// verify looks up in the catalog the objects a plan's phases leave, in the same round trip as
// the phase log: each kind of object, hostile names, a column of the wrong type.
import { describe, expect, it } from 'vitest';
import type { SchemaObject } from '../../src/plan/types.js';
import { describeObject, readState } from '../../src/runner/verify.js';
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
    await c.query(`CREATE SCHEMA pgphase; CREATE TABLE pgphase.phase_log (plan_id text, phase text, status text, checksum text, steps_done text[], run_by jsonb)`);
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
