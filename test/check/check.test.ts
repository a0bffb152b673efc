// `check` on a small shop application's 200 queries (fixtures/check/shop): each migration and
// plan run on a shadow database (the test server), every query PREPAREd and EXPLAINed at each point.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { querySet, readQueryFile, type QuerySet } from '../../src/check/sources.js';
import { plan } from '../../src/index.js';
import { tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const SHOP = resolve('fixtures/check/shop');
const shadowUrl = inject('pgAdminUrl');

/** The shop's history with `migration` as its next file; returns the directory and the file's path. */
export function shop(name: string, migration: string): { root: string; file: string } {
  const root = tempTree({ 'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'), [`db/${name}.sql`]: migration });
  return { root, file: `db/${name}.sql` };
}

let queries: QuerySet;
let major: number;

beforeAll(async () => {
  major = (await testDatabase()).major;
  queries = await querySet(await readQueryFile(join(SHOP, 'queries.sql')));
});

describe('check', () => {
  it('reads the 200 queries of the fixture, all of them checked before any change', async () => {
    expect(queries.queries.length).toBe(200);
    const { root, file } = shop('0002_noop', 'CREATE TABLE coupons (code text PRIMARY KEY);\n');
    const result = await check({ target: file, old: queries, cwd: root, shadowUrl });
    expect(result.sets.old.unchecked).toEqual([]);
    expect(result.sets.old.checked).toBe(200);
    expect(result.failures).toEqual([]);
  });

  it('a plain rename breaks V at once', async () => {
    const { root, file } = shop('0002_rename', 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    const result = await check({ target: file, old: queries, cwd: root, shadowUrl });
    expect(result.failures.length).toBeGreaterThan(5);
    expect(result.failures.every((f) => f.point === 'after the migration' && f.version === 'old')).toBe(true);
    expect(result.failures[0]!.error).toMatch(/column .*name.* does not exist/);
  });

  it('a planned rename breaks V after contract only', async () => {
    const { root, file } = shop('0002_rename', 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    await plan({ file, history: 'db', cwd: root, emit: 'plan' });
    const result = await check({ target: 'db/0002_rename', old: queries, cwd: root, shadowUrl });
    expect(result.points.map((p) => p.label)).toEqual(['before', 'after expand', 'after trigger', 'after backfill', 'after contract']);
    expect(result.failures).toEqual([]);
    const broken = result.queries.filter((q) => q.at[4]!.error !== undefined);
    expect(broken.length).toBeGreaterThan(5);
    expect(result.queries.every((q) => q.at.slice(0, 4).every((o) => o.error === undefined))).toBe(true);
  });
});
