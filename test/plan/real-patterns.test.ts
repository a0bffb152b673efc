// Patterns of real migration histories (bench/differential.mjs): each plan, applied phase by
// phase on real PostgreSQL (each reversible phase run, undone and run again), gives the catalog
// and rows the migration gives as written.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { runPhase, type RunEvent } from '../../src/runner/run.js';
import { planCases, type PlanCase } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `
  CREATE TABLE policies (id int PRIMARY KEY, name text, by_chunk boolean);
  CREATE TABLE requests (id int PRIMARY KEY, request jsonb, examples jsonb);
  CREATE INDEX policies_name_idx ON policies (name);
  CREATE TABLE items (id int PRIMARY KEY, parent int, position int, label varchar(12));
  CREATE TABLE totals (id serial PRIMARY KEY, parent int, n bigint, label varchar(12));
  CREATE TABLE queue (id serial PRIMARY KEY, name text NOT NULL, message text NOT NULL, body text);
  INSERT INTO queue (name, message, body) SELECT 'q' || g % 3, 'm' || g, 'b' || g FROM generate_series(1, 100) g;
  INSERT INTO items SELECT g, g % 7, (g * 37) % 11, CASE WHEN g % 50 <> 0 THEN 'i' || g END FROM generate_series(1, 300) g;
  INSERT INTO policies SELECT g, 'p' || g, g % 2 = 0 FROM generate_series(1, 200) g;
  INSERT INTO requests SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE jsonb_build_object('n', g) END, NULL FROM generate_series(1, 200) g;`;

const POLICIES = 'SELECT json_agg(p ORDER BY id) AS rows FROM policies p';
const REQUESTS = 'SELECT json_agg(r ORDER BY id) AS rows FROM requests r';
const ITEMS =
  'SELECT json_agg(i ORDER BY id) AS rows FROM items i UNION ALL SELECT json_agg(t ORDER BY id) FROM totals t';

const FIRE = `CREATE FUNCTION sync_examples() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.examples := jsonb_build_object('of', NEW.request); RETURN NEW; END $$;
CREATE TRIGGER requests_sync BEFORE INSERT OR UPDATE OF request ON requests FOR EACH ROW EXECUTE PROCEDURE sync_examples();
UPDATE requests SET request = request WHERE request IS NOT NULL;
UPDATE requests r SET request = r.request WHERE r.id < 10;`;

const TEMP_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.tag(v jsonb, k text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$ SELECT v || jsonb_build_object(k, true) $$;
ALTER TABLE requests ADD COLUMN seen boolean;
UPDATE requests r SET request = pg_temp.tag(r.request, 'seen') WHERE r.request IS NOT NULL;
DROP FUNCTION pg_temp.tag(jsonb, text);`;

const CASES: PlanCase[] = [
  {
    name: 'ADD COLUMN IF NOT EXISTS of a column that exists does nothing, and its undo drops nothing',
    migration:
      'ALTER TABLE policies ADD COLUMN IF NOT EXISTS by_chunk boolean;\nALTER TABLE policies ADD COLUMN IF NOT EXISTS speed int;',
    data: POLICIES,
    phases: ['expand'],
  },
  {
    name: 'CREATE INDEX IF NOT EXISTS of an index that exists does nothing, and its undo drops nothing',
    migration:
      'CREATE INDEX IF NOT EXISTS policies_name_idx ON policies (name, id);\nALTER TABLE policies ADD COLUMN speed int;',
    data: POLICIES,
    phases: ['expand'],
  },
  {
    name: 'DROP TABLE IF EXISTS of a table there is not, then CREATE TABLE of it: the drop does nothing, in its place before the create',
    migration:
      'DROP TABLE IF EXISTS archives;\nCREATE TABLE archives (id int PRIMARY KEY, policy int REFERENCES policies);\nINSERT INTO archives SELECT id, id FROM policies WHERE by_chunk;',
    data: 'SELECT json_agg(a ORDER BY id) AS rows FROM archives a',
    phases: ['expand'],
  },
  {
    name: 'DROP NOT NULL of a column that is nullable, SET NOT NULL of one that is NOT NULL: nothing done, and nothing undone',
    migration:
      "ALTER TABLE items ALTER COLUMN label DROP NOT NULL;\nUPDATE items SET label = NULL WHERE label = 'i7';\nALTER TABLE queue ALTER COLUMN name SET NOT NULL;",
    data: ITEMS,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'DROP INDEX … CASCADE of a unique index a foreign key rests on: as written in contract (CONCURRENTLY takes no CASCADE), the key with it',
    setup: `${SETUP}\nCREATE UNIQUE INDEX policies_name_uq ON policies (name);\nALTER TABLE requests ADD COLUMN policy text REFERENCES policies (name);`,
    migration: 'DROP INDEX policies_name_uq CASCADE;',
    data: POLICIES,
    phases: ['contract'],
  },
  {
    name: 'DROP NOT NULL of a column of the primary key the migration swaps: refused, the new version cannot write before contract',
    migration:
      'ALTER TABLE queue DROP CONSTRAINT queue_pkey;\nALTER TABLE queue ALTER COLUMN id DROP NOT NULL;\nALTER TABLE queue ADD PRIMARY KEY (name, message);',
    refused:
      /2:1: "id" is in the primary key this migration drops: its NOT NULL can only go after that key, in contract/,
  },
  {
    name: 'a CHECK dropped goes in expand, before the new version writes what it forbade; its undo adds it back, validated',
    setup: `${SETUP}\nALTER TABLE items ADD CONSTRAINT items_position_check CHECK (position < 100);`,
    migration: 'ALTER TABLE items DROP CONSTRAINT items_position_check;',
    data: ITEMS,
    phases: ['expand'],
  },
  {
    name: 'a DO block whose body renames a column and drops a table: refused, the old version would not survive it',
    migration: `DO $$\nBEGIN\n  ALTER TABLE policies RENAME COLUMN name TO title;\n  DROP TABLE totals;\nEND\n$$;`,
    refused:
      /this DO block runs rename column, drop table, which the old version would not survive and a plan cannot move out of the block into contract: write them as statements of their own/,
  },
  {
    name: 'UPDATE … SET c = c written to fire a trigger the migration creates: the trigger fires on the batches',
    migration: FIRE,
    data: REQUESTS,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a function in pg_temp that the data change calls is made in the backfill session',
    migration: TEMP_FUNCTION,
    data: REQUESTS,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'an UPDATE that renumbers rows with a window function over its own table: new values computed once',
    migration: `WITH ordered AS (SELECT id, row_number() OVER (PARTITION BY parent ORDER BY position, id) AS n FROM items)
UPDATE items i SET position = o.n FROM ordered o WHERE i.id = o.id;`,
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'an UPDATE whose subquery reads what it sets in other rows: new values computed once',
    migration:
      "UPDATE items SET position = (SELECT max(x.position) FROM items x WHERE x.parent = items.parent) + 1, label = 'top' WHERE id % 2 = 0;",
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'an UPDATE that gives the rows of each group one random value made in a subquery: values made once, not per batch',
    migration: `ALTER TABLE items ADD COLUMN run text;
UPDATE items i SET run = g.token FROM (SELECT parent, md5(random()::text) AS token FROM (SELECT DISTINCT parent FROM items) p) g WHERE i.parent = g.parent;`,
    // random values, but one per parent whichever batch a row falls in
    data: 'SELECT count(DISTINCT run)::int AS runs, count(DISTINCT (parent, run))::int AS pairs, count(*) FILTER (WHERE run IS NULL)::int AS missing FROM items',
    phases: ['expand', 'backfill'],
  },
  {
    name: 'an UPDATE whose uncorrelated subquery makes one random value for every row: made once, not per batch',
    migration: "UPDATE policies SET name = (SELECT 'p' || left(md5(random()::text), 8));",
    data: 'SELECT count(DISTINCT name)::int AS names, count(*)::int AS n FROM policies',
    phases: ['backfill'],
  },
  {
    name: 'a DELETE of the rows of three groups a subquery picks at random: picked once, not per batch',
    migration:
      'DELETE FROM items i USING (SELECT parent FROM (SELECT DISTINCT id % 7 AS parent FROM policies) d ORDER BY random() LIMIT 3) r WHERE i.parent = r.parent;',
    // which groups go is random; that three go whole is not
    data: 'SELECT count(*)::int AS parents, bool_and(n >= 42) AS whole FROM (SELECT parent, count(*) AS n FROM items GROUP BY parent) g',
    phases: ['backfill'],
  },
  {
    name: 'an INSERT … SELECT that joins one random label made in a subquery: made once, not per batch',
    migration:
      'INSERT INTO totals (parent, n, label) SELECT i.parent, i.position, r.label FROM items i CROSS JOIN (SELECT left(md5(random()::text), 12) AS label) r;',
    data: 'SELECT count(*)::int AS n, count(DISTINCT label)::int AS labels FROM totals',
    phases: ['backfill'],
  },
  {
    name: 'an INSERT … SELECT with GROUP BY: its rows computed once, inserted batch by batch',
    migration: "INSERT INTO totals (parent, n, label) SELECT parent, sum(position), 'sum' FROM items GROUP BY parent;",
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'an INSERT … SELECT that reads the table it inserts into: its rows computed once',
    migration:
      "INSERT INTO items (id, parent, position, label) SELECT id + 1000, parent, position, 'copy' FROM items WHERE id <= 120 AND NOT EXISTS (SELECT FROM items x WHERE x.id = items.id + 1000);",
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'a unique index after the DELETE that removes the duplicates is built after the backfill',
    migration: `WITH ranked AS (SELECT id, row_number() OVER (PARTITION BY parent ORDER BY id DESC) AS rn FROM items)
DELETE FROM items WHERE id IN (SELECT id FROM ranked WHERE rn > 1);
CREATE UNIQUE INDEX items_parent_key ON items (parent);`,
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'a serial primary key dropped with its column and the key moved to two other columns',
    migration: `DROP INDEX IF EXISTS policies_name_idx;
ALTER TABLE queue DROP CONSTRAINT IF EXISTS queue_pkey;
ALTER TABLE queue DROP COLUMN IF EXISTS id;
ALTER TABLE queue ADD PRIMARY KEY (name, message);`,
    data: 'SELECT json_agg(q ORDER BY name, message) AS rows FROM queue q',
    phases: ['expand', 'contract'],
  },
  {
    name: 'constraints written before the columns they check in one ALTER TABLE, as PostgreSQL runs them: the columns first',
    migration:
      'ALTER TABLE policies ADD CONSTRAINT level_known CHECK (level IN (1, 2)), ADD CONSTRAINT speed_positive CHECK (speed > 0), ADD COLUMN level smallint NOT NULL DEFAULT 1, ADD COLUMN speed int;',
    data: POLICIES,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a temporary table that an INSERT … SELECT reads is made in the backfill session',
    migration: `CREATE TEMP TABLE picked (item_id int PRIMARY KEY, n int NOT NULL);
INSERT INTO picked SELECT id, position FROM items WHERE parent = 3;
INSERT INTO totals (parent, n, label) SELECT p.item_id, p.n, 'picked' FROM picked p;
DROP TABLE picked;`,
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'a DO block that checks what the UPDATE before it did runs after the backfill',
    migration: `UPDATE items SET label = 'none' WHERE label IS NULL;
DO $$ BEGIN IF EXISTS (SELECT FROM items WHERE label IS NULL) THEN RAISE EXCEPTION 'labels left'; END IF; END $$;`,
    data: ITEMS,
    phases: ['backfill'],
  },
  {
    name: 'a new table that an UPDATE … FROM reads, then loses the column it was joined on: the drop waits for the backfill',
    migration: `CREATE TABLE portals (id int PRIMARY KEY, policy_id int);
INSERT INTO portals SELECT id + 1000, id FROM policies WHERE id % 3 = 0;
ALTER TABLE policies ADD COLUMN portal_id int;
UPDATE policies p SET portal_id = x.id FROM portals x WHERE x.policy_id = p.id;
ALTER TABLE portals DROP COLUMN policy_id;`,
    data: POLICIES,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a constraint dropped, then added again by a DO block if missing: the block runs after the drop',
    setup: `${SETUP}\nALTER TABLE policies ADD CONSTRAINT policies_name_key UNIQUE (name);`,
    migration: `ALTER TABLE policies DROP CONSTRAINT IF EXISTS policies_name_key;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'policies_name_key') THEN
    ALTER TABLE policies ADD CONSTRAINT policies_name_key UNIQUE (name, by_chunk);
  END IF;
END $$;`,
    data: POLICIES,
    phases: ['contract'],
  },
  {
    name: 'a temporary table ON COMMIT DROP made by CREATE TABLE AS: refused',
    migration: `BEGIN;
CREATE TEMP TABLE grouped ON COMMIT DROP AS SELECT parent, count(*) AS n FROM items GROUP BY parent;
INSERT INTO totals (parent, n, label) SELECT parent, n, 'g' FROM grouped;
COMMIT;`,
    refused: /2:1: "grouped" is dropped when the transaction that creates it commits/,
  },
  {
    name: 'a temporary table ON COMMIT DROP: refused, it ends with the first step',
    migration: `BEGIN;
CREATE TEMP TABLE chosen (item_id int PRIMARY KEY) ON COMMIT DROP;
INSERT INTO chosen SELECT id FROM items WHERE parent = 3;
UPDATE items SET label = 'chosen' WHERE id IN (SELECT item_id FROM chosen);
COMMIT;`,
    refused:
      /2:1: "chosen" is dropped when the transaction that creates it commits, and a plan commits each step and each batch/,
  },
];

describe('patterns of real migration histories', () => {
  planCases(c, db.major, SETUP, CASES);
});

describe('through the runner, each phase in a session of its own', () => {
  it('makes a function in pg_temp in the session of the backfill that calls it', async () => {
    await c.query('ROLLBACK');
    await resetSchema(c);
    await runScript(c, SETUP);
    const dir = tempTree({ 'm/001.sql': SETUP, 'm/002.sql': TEMP_FUNCTION });
    const p = await plan({
      file: join(dir, 'm/002.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'plan'),
      batchSize: 50,
    });
    for (const phase of ['expand', 'backfill'] as const) await runPhase({ planDir: p.dir, databaseUrl: db.url, phase });
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM requests WHERE request ? 'seen'`);
    expect(rows[0]).toEqual({ n: 134 });
  });

  it('fires the triggers an UPDATE that changes no value is written for, although the runner keeps triggers from firing by default', async () => {
    await c.query('ROLLBACK');
    await resetSchema(c);
    await runScript(c, SETUP);
    const dir = tempTree({ 'm/001.sql': SETUP, 'm/002.sql': FIRE });
    const p = await plan({
      file: join(dir, 'm/002.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'plan'),
      batchSize: 50,
    });
    expect(p.manifest.phases.find((x) => x.name === 'backfill')?.backfills?.map((b) => b.fireTriggers)).toEqual([
      true,
      true,
    ]);
    const events: RunEvent[] = [];
    for (const phase of ['expand', 'backfill'] as const)
      await runPhase({ planDir: p.dir, databaseUrl: db.url, phase, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'triggers').map((e) => e.type === 'triggers' && e.mode)).toEqual([
      'fire',
      'fire',
    ]);
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM requests WHERE examples IS NOT DISTINCT FROM jsonb_build_object('of', request)`,
    );
    // the 134 rows with a request, and the 3 without one under id 10 (ids 3, 6, 9)
    expect(rows[0]).toEqual({ n: 137 });
  });
});
