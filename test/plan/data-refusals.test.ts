// What plan refuses to batch, and why: each refusal is a case where batches by key would give
// other rows than the statement run as written (or write what PostgreSQL computes).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { tempTree } from '../helpers/cli.js';

const dir = tempTree({
  'm/001.sql': `CREATE TABLE t (id int PRIMARY KEY, n int, parent int, g int GENERATED ALWAYS AS (n * 2) STORED);
CREATE TABLE s (id int PRIMARY KEY, t_id int, v int);
CREATE TABLE nokey (a int, b int);`,
});

async function planned(sql: string) {
  writeFileSync(join(dir, 'm/002.sql'), sql);
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'plan'), force: true });
}

describe('data changes plan refuses to batch', () => {
  const cases: Array<[string, string]> = [
    [
      'INSERT INTO s SELECT min(id), id % 10, 1 FROM t GROUP BY 2;',
      'its SELECT uses GROUP BY, which computes across rows: per batch it would compute something else; give it a column list',
    ],
    [
      'INSERT INTO t SELECT id + 1000, n FROM t;',
      'its SELECT reads "public"."t", the table it inserts into; give it a column list',
    ],
    [
      'UPDATE t SET (n, parent) = (SELECT max(x.n), 1 FROM t x WHERE x.parent = t.id);',
      'it reads "public"."t" again and mentions "n", which it sets, and sets part of a column or a list of columns',
    ],
    [
      'INSERT INTO s SELECT a, b FROM nokey;',
      '"public"."nokey" has no primary key or unique NOT NULL key to batch by; give it a column list',
    ],
    ['UPDATE nokey SET a = 1;', '"public"."nokey" has no primary key or unique NOT NULL key to batch by'],
    ['INSERT INTO t (id, g) SELECT id + 1000, 1 FROM s;', '"g" is a generated column'],
    ['UPDATE t AS x SET g = 1 FROM s WHERE s.t_id = x.id;', '"g" is a generated column'],
    ['UPDATE t AS x SET id = s.id FROM s WHERE s.t_id = x.id;', 'it changes the key column "id" that batches walk by'],
    [
      'WITH d AS (DELETE FROM s RETURNING t_id) UPDATE t SET n = 0 WHERE id IN (SELECT t_id FROM d);',
      'a WITH query that changes data would run again for every batch',
    ],
    [
      "UPDATE pg_index SET indisready = false WHERE indrelid = 't'::regclass;",
      'this UPDATE writes pg_index, a system catalog PostgreSQL keeps for itself: no phase makes that safe while the application runs',
    ],
    [
      'MERGE INTO t USING s ON s.t_id = t.id WHEN MATCHED THEN UPDATE SET n = s.v;',
      'this MERGE cannot be split into key batches: the rows it inserts have no key to batch by',
    ],
    // what the old version writes to a column or table the migration copies from, then drops, until contract
    [
      'ALTER TABLE t ADD COLUMN m int;\nUPDATE t SET m = n * 10;\nALTER TABLE t DROP COLUMN n;',
      '002.sql:3:1: "public"."t"."n" is read by the data change at line 2, which the plan runs before contract while the old version still writes the column: what it writes after that would never reach what the data change made of it before contract drops it; if the new column holds the same values, RENAME the column instead',
    ],
    [
      'UPDATE s SET v = t.n FROM t WHERE t.id = s.t_id;\nALTER TABLE t DROP COLUMN n;',
      '"public"."t"."n" is read by the data change at line 1',
    ],
    [
      'CREATE TABLE t2 (id int PRIMARY KEY, n int);\nINSERT INTO t2 SELECT id, n FROM t;\nDROP TABLE t;',
      '002.sql:3:1: "public"."t" is read by the data change at line 2, which the plan runs before contract while the old version still writes the table',
    ],
  ];
  for (const [sql, reason] of cases) {
    it(sql, async () => {
      await expect(planned(sql)).rejects.toThrow(reason);
    });
  }
});

describe('data changes plan batches', () => {
  it('drops in contract a column or table no data change of the migration read', async () => {
    const p = await planned('ALTER TABLE t ADD COLUMN m int;\nUPDATE t SET m = parent;\nALTER TABLE t DROP COLUMN n;');
    expect(p.manifest.phases.map((phase) => phase.name)).toEqual(['expand', 'backfill', 'contract']);
    expect(
      p.manifest.phases
        .at(-1)!
        .steps.map((x) => x.sql)
        .join('\n'),
    ).toMatch(/DROP COLUMN IF EXISTS "n"/);
  });

  it('keeps the statement whole, RETURNING dropped, batched by the key of the table it walks', async () => {
    const p = await planned(
      `WITH big AS (SELECT id FROM t WHERE n > 10) INSERT INTO s (id, t_id) SELECT x.id + 1000, x.id FROM t AS x LEFT JOIN big ON big.id = x.id WHERE big.id IS NULL RETURNING id;`,
    );
    expect(p.manifest.phases[0]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 't' },
        key: ['id'],
        // the CTE's name quoted, as every name pgphase writes
        statement:
          'WITH "big" AS (SELECT id FROM t WHERE n > 10) INSERT INTO s (id, t_id) SELECT x.id + 1000, x.id FROM t AS x LEFT JOIN big ON big.id = x.id WHERE big.id IS NULL',
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
  });

  it('chooses the rows of a DELETE that reads its own table before its first batch', async () => {
    const p = await planned('DELETE FROM t a USING t b WHERE a.parent = b.id AND b.n IS NULL;');
    expect(p.manifest.phases[0]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 't' },
        key: ['id'],
        statement: 'DELETE FROM t AS a USING t AS b WHERE a.parent = b.id AND b.n IS NULL',
        snapshot: true,
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
    const file = readFileSync(join(p.dir, '1-backfill.sql'), 'utf8');
    expect(file).toContain(
      '  CREATE TABLE "public"."pgphase_keys_002_1" AS SELECT DISTINCT a.id FROM t AS a, t AS b WHERE a.parent = b.id AND b.n IS NULL;\n',
    );
    expect(p.manifest.notes).toContain(
      'the rows this DELETE removes from "public"."t" are chosen once, before its first batch (the keys kept in a table until the last batch): rows written after that are not deleted',
    );
  });

  it('computes the rows of an INSERT … SELECT across rows, and the new values of an UPDATE that reads what it sets, before the first batch', async () => {
    const insert = await planned('INSERT INTO s (id, t_id, v) SELECT min(id), id % 10, 1 FROM t GROUP BY 2;');
    expect(insert.manifest.phases[0]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 's' },
        key: ['pgphase_n'],
        statement: 'INSERT INTO s (id, t_id, v) SELECT min(id), id % 10, 1 FROM t GROUP BY 2',
        snapshot: true,
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
    const file = readFileSync(join(insert.dir, '1-backfill.sql'), 'utf8');
    expect(file).toContain(
      '  CREATE TABLE "public"."pgphase_keys_002_1" AS SELECT 0::bigint AS pgphase_n, "id", "t_id", "v" FROM "public"."s" WITH NO DATA;\n',
    );
    const update = await planned('UPDATE t SET n = p.n FROM t p WHERE t.parent = p.id;');
    expect(update.manifest.phases[0]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 't' },
        key: ['id'],
        statement: 'UPDATE t SET n = p.n FROM t AS p WHERE t.parent = p.id',
        snapshot: true,
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
    expect(update.manifest.notes.join('\n')).toContain(
      'the new values this UPDATE writes into "public"."t" are computed once, before its first batch',
    );
  });

  it('computes once what a volatile call makes for rows to share (a subquery, a FROM item, a WITH query), not one made for each row', async () => {
    const snapshotOf = (p: Awaited<ReturnType<typeof planned>>) => p.manifest.phases[0]!.backfills?.[0]?.snapshot;
    const snapshot = async (sql: string) => snapshotOf(await planned(sql));
    // one value per parent, shared by its rows: each batch would make its own
    const update = await planned(
      'UPDATE t SET n = g.v FROM (SELECT DISTINCT t_id, (random() * 100)::int AS v FROM s) g WHERE t.parent = g.t_id;',
    );
    expect(snapshotOf(update)).toBe(true);
    expect(update.manifest.notes.join('\n')).toContain(
      'the new values this UPDATE writes into "public"."t" are computed once, before its first batch (it calls random(), which is volatile, in a subquery, a FROM item or a WITH query, which each batch would call again)',
    );
    // an uncorrelated subquery runs once for the whole statement; a function of the application's may be volatile
    expect(await snapshot('UPDATE t SET n = (SELECT (random() * 100)::int);')).toBe(true);
    expect(await snapshot('WITH v AS (SELECT app.pick() AS n) UPDATE t SET n = v.n FROM v;')).toBe(true);
    const remove = await planned(
      'DELETE FROM t USING (SELECT t_id FROM s ORDER BY random() LIMIT 3) r WHERE t.id = r.t_id;',
    );
    expect(snapshotOf(remove)).toBe(true);
    expect(remove.manifest.notes.join('\n')).toContain(
      'the rows this DELETE removes from "public"."t" are chosen once, before its first batch (it calls random(), which is volatile,',
    );
    expect(
      await snapshot('INSERT INTO s (id, t_id, v) SELECT t.id, t.id, r.v FROM t, (SELECT (random() * 9)::int AS v) r;'),
    ).toBe(true);
    await expect(
      planned('INSERT INTO s SELECT t.id, t.id, r.v FROM t, (SELECT (random() * 9)::int AS v) r;'),
    ).rejects.toThrow(
      'it calls random(), which is volatile, in a subquery, a FROM item or a WITH query, which each batch would call again; give it a column list',
    );
    await expect(planned('UPDATE t SET (n, parent) = (SELECT (random() * 9)::int, 1);')).rejects.toThrow(
      'it calls random(), which is volatile, in a subquery, a FROM item or a WITH query, which each batch would call again, and sets part of a column or a list of columns',
    );
    // made for each row, in a batch as in the statement; stable and immutable built-ins in a subquery
    expect(await snapshot('UPDATE t SET n = (random() * 100)::int WHERE parent > 1;')).toBeUndefined();
    expect(
      await snapshot('UPDATE t SET n = (SELECT max(v) FROM s WHERE s.t_id = t.id AND s.v < length(now()::text));'),
    ).toBeUndefined();
  });

  it('keeps a plain UPDATE as SET and WHERE, and reads of the table that do not touch what it sets', async () => {
    const p = await planned('UPDATE t SET n = 0 WHERE parent IN (SELECT id FROM t WHERE parent IS NULL);');
    expect(p.manifest.phases[0]!.backfills).toEqual([
      {
        table: { schema: 'public', name: 't' },
        key: ['id'],
        set: '"n" = 0',
        where: 'parent IN (SELECT id FROM t WHERE parent IS NULL)',
        batchSize: 1000,
        afterSteps: 0,
      },
    ]);
  });
});
