// `check` on a small shop application's 200 queries (fixtures/check/shop): each migration and
// plan run on a shadow database (the test server), every query PREPAREd and EXPLAINed at each point.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { querySet, readQueryFile, readStatStatements, type QuerySet } from '../../src/check/sources.js';
import { plan } from '../../src/index.js';
import { tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const SHOP = resolve('fixtures/check/shop');
const shadowUrl = inject('pgAdminUrl');

/** The shop's history with `migration` as its next file; returns the directory and the file's path. */
function shop(name: string, migration: string): { root: string; file: string } {
  const root = tempTree({
    'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
    [`db/${name}.sql`]: migration,
  });
  return { root, file: `db/${name}.sql` };
}

const major = inject('pgMajor');
let queries: QuerySet;

beforeAll(async () => {
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
    expect(result.points.map((p) => p.label)).toEqual([
      'before',
      'after expand',
      'after trigger',
      'after backfill',
      'after contract',
    ]);
    expect(result.failures).toEqual([]);
    const broken = result.queries.filter((q) => q.at[4]!.error !== undefined);
    expect(broken.length).toBeGreaterThan(5);
    expect(result.queries.every((q) => q.at.slice(0, 4).every((o) => o.error === undefined))).toBe(true);
  });

  it('V+1 works from its deploy point on: after the expand of a planned rename, after a plain one', async () => {
    const next = await querySet([
      {
        text: 'SELECT id, full_name FROM users WHERE id = $1;\nINSERT INTO users (email, full_name) VALUES ($1, $2) RETURNING id;',
        origin: 'next.sql',
        file: true,
      },
    ]);
    const { root, file } = shop('0002_rename', 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    const plain = await check({ target: file, old: queries, new: next, cwd: root, shadowUrl });
    expect(plain.failures.filter((f) => f.version === 'new')).toEqual([]);
    expect(plain.queries.filter((q) => q.version === 'new').map((q) => q.at.map((o) => o.error === undefined))).toEqual(
      [
        [false, true],
        [false, true],
      ],
    );
    await plan({ file, history: 'db', cwd: root, emit: 'plan' });
    const planned = await check({ target: 'db/0002_rename', old: queries, new: next, cwd: root, shadowUrl });
    expect(planned.windows.new).toEqual({ from: 2, to: 4 });
    expect(planned.failures).toEqual([]);
    expect(
      planned.queries.filter((q) => q.version === 'new').map((q) => q.at.map((o) => o.error === undefined)),
    ).toEqual([
      [false, true, true, true, true],
      [false, true, true, true, true],
    ]);
  });

  it('a query of V+1 that fails at its deploy point is a failure naming the query, the point and the error', async () => {
    // V+1 compares payload as text: during the overlap the column is still jsonb (its text copy is renamed into place at contract)
    const next = await querySet([
      { text: "SELECT id FROM payments WHERE payload LIKE $1 || '%'", origin: 'next.sql', file: true },
    ]);
    const { root, file } = shop('0002_type', 'ALTER TABLE payments ALTER COLUMN payload TYPE text;\n');
    await plan({ file, history: 'db', cwd: root, emit: 'plan' });
    const planned = await check({ target: 'db/0002_type', old: queries, new: next, cwd: root, shadowUrl });
    const points = planned.points.map((p) => p.label);
    expect(planned.failures.map((f) => [f.version, f.query, f.point])).toEqual(
      points
        .slice(planned.windows.new.from, -1)
        .map((point) => ['new', "SELECT id FROM payments WHERE payload LIKE $1 || '%'", point]),
    );
    expect(planned.failures[0]!.error).toMatch(/operator does not exist: jsonb ~~ /);
    // V reads the payload as jsonb: fine until contract, where it no longer runs
    expect(
      planned.queries.find((q) => q.query.startsWith("SELECT payload->'card'"))!.at.map((o) => o.error === undefined),
    ).toEqual([...points.slice(0, -1).map(() => true), false]);
  });

  it('a plain migration that drops a column V+1 still uses fails V+1; a query of V+1 that works at no point is not checked', async () => {
    const next = await querySet([
      { text: 'SELECT id, role FROM users WHERE id = $1;\nSELECT id FROM invoices;', origin: 'next.sql', file: true },
    ]);
    const { root, file } = shop('0002_drop_role', 'ALTER TABLE users DROP COLUMN role;\n');
    const result = await check({ target: file, old: await querySet([]), new: next, cwd: root, shadowUrl });
    expect(result.failures.map((f) => [f.version, f.query, f.point, f.error])).toEqual([
      ['new', 'SELECT id, role FROM users WHERE id = $1', 'after the migration', 'column "role" does not exist'],
    ]);
    expect(result.sets.new!.unchecked).toEqual([
      { query: 'SELECT id FROM invoices', origin: 'next.sql:2', error: 'relation "invoices" does not exist' },
    ]);
  });

  it('parameter types compared where the version runs: V before and after a plain migration, V+1 from its deploy point', async () => {
    const read = await querySet([
      { text: 'SELECT id FROM orders WHERE total_cents > $1', origin: 'q.sql', file: true },
    ]);
    const { root, file } = shop(
      '0002_retype',
      'ALTER TABLE orders DROP COLUMN total_cents;\nALTER TABLE orders ADD COLUMN total_cents bigint;\n',
    );
    const plain = await check({ target: file, old: read, new: read, cwd: root, shadowUrl });
    expect(plain.failures).toEqual([]);
    expect(plain.paramChanges.map((c) => [c.version, c.point, c.from, c.to])).toEqual([
      ['old', 'after the migration', ['integer'], ['bigint']],
    ]);
  });

  it('dropping a column no query uses breaks no query', async () => {
    const { root, file } = shop('0002_drop_notes', 'ALTER TABLE users DROP COLUMN legacy_notes;\n');
    const result = await check({ target: file, old: queries, cwd: root, shadowUrl });
    expect(result.sets.old.checked).toBe(200);
    expect(result.failures).toEqual([]);
    const { root: r2, file: f2 } = shop('0002_drop_role', 'ALTER TABLE users DROP COLUMN role;\n');
    const used = await check({ target: f2, old: queries, cwd: r2, shadowUrl });
    expect(used.failures.length).toBeGreaterThan(0);
    expect(used.failures.every((f) => /column .*role.* does not exist/.test(f.error))).toBe(true);
  });

  it('a type change: the parameters of every query still resolve, their types follow the column', async () => {
    const { root, file } = shop('0002_type', 'ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;\n');
    const result = await check({ target: file, old: queries, cwd: root, shadowUrl });
    expect(result.failures).toEqual([]);
    const changed = result.paramChanges.map((c) => c.query);
    expect(changed).toContain('UPDATE "orders" SET "total_cents" = $1 WHERE "id" = $2 RETURNING "id", "total_cents"');
    expect(result.paramChanges.find((c) => c.query.startsWith('UPDATE "orders" SET "total_cents"'))).toMatchObject({
      from: ['integer', 'bigint'],
      to: ['bigint', 'bigint'],
    });
    await plan({ file, history: 'db', cwd: root, emit: 'plan' });
    const planned = await check({ target: 'db/0002_type', old: queries, cwd: root, shadowUrl });
    expect(planned.failures).toEqual([]);
    // V's parameters keep their types until contract, where V no longer runs
    expect(planned.paramChanges).toEqual([]);
  });

  it('the starting schema from a schema file or a live database instead of the history', async () => {
    const root = tempTree({
      'schema.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
      'change/0002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
    });
    const fromDump = await check({
      target: 'change/0002_rename.sql',
      old: queries,
      start: { schemaFile: 'schema.sql' },
      cwd: root,
      shadowUrl,
    });
    expect([fromDump.sets.old.checked, new Set(fromDump.failures.map((f) => f.query)).size]).toEqual([200, 21]);
    // (a table without serial columns: the live catalog is read without its sequences)
    const live = await testDatabase();
    const client = await live.client();
    await client.query('CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL)');
    const few = await querySet([
      {
        text: 'SELECT id, name FROM users WHERE id = $1; INSERT INTO users (id, email, name) VALUES ($1, $2, $3); SELECT id FROM users WHERE email = $1',
        origin: 'few.sql',
        file: true,
      },
    ]);
    const fromDatabase = await check({
      target: 'change/0002_rename.sql',
      old: few,
      start: { databaseUrl: live.url },
      cwd: root,
      shadowUrl,
    });
    expect([fromDatabase.sets.old.checked, fromDatabase.failures.map((f) => f.origin)]).toEqual([
      3,
      ['few.sql:1', 'few.sql:1'],
    ]);
    // without a starting schema, nothing exists before the migration (which then fails on the shadow database)
    await expect(check({ target: 'change/0002_rename.sql', old: queries, cwd: root, shadowUrl })).rejects.toThrow(
      /change\/0002_rename\.sql:1: PostgreSQL refused it: relation "users" does not exist/,
    );
  });

  it('pg_stat_statements of a database without the extension: one line saying what it needs', async () => {
    const db = await testDatabase();
    await expect(readStatStatements(db.url)).rejects.toThrow(
      /^cannot read pg_stat_statements: the database has no such extension; it needs `CREATE EXTENSION pg_stat_statements`/,
    );
  });

  it.runIf(major >= 12)('a dropped index: EXPLAIN reports the lost index path', async () => {
    const { root, file } = shop('0002_drop_index', 'DROP INDEX orders_user_id_idx;\n');
    const result = await check({ target: file, old: queries, cwd: root, shadowUrl });
    expect(result.plans).toBe(true);
    expect(result.failures).toEqual([]);
    const lost = result.lostIndexes.filter(
      (l) =>
        l.query ===
        'SELECT o.id, o.placed_at, o.total_cents FROM orders o WHERE o.user_id = $1 ORDER BY o.placed_at DESC LIMIT $2',
    );
    expect(lost).toEqual([
      expect.objectContaining({ point: 'after the migration', index: 'orders_user_id_idx', table: 'orders' }),
    ]);
    expect(new Set(result.lostIndexes.map((l) => l.index))).toEqual(new Set(['orders_user_id_idx']));
  });
});
