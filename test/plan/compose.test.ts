// Migrations that compose: a name dropped and created again, statements about a column written
// after the statement that replaces it, constraints written on a new column. Each plan, applied
// phase by phase on real PostgreSQL, gives the catalog and rows the migration gives as written.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { readLiveSchema } from '../../src/runner/introspect.js';
import { planAgainstMigration, planCases, type PlanCase } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SHOP = `
  CREATE TABLE parents (id int PRIMARY KEY, name text);
  CREATE TABLE kids (
    id int PRIMARY KEY,
    parent_id int CONSTRAINT kids_parent_id_fkey REFERENCES parents (id),
    x int CONSTRAINT kids_x_check CHECK (x > 0),
    code text CONSTRAINT kids_code_key UNIQUE,
    note text
  );
  CREATE TABLE items (id int PRIMARY KEY, features text, qty int, label text);
  CREATE INDEX kids_x_idx ON kids (x);
  CREATE VIEW kid_codes AS SELECT id, code, x FROM kids;
  CREATE FUNCTION kid_count() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM kids';
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.note := coalesce(NEW.note, ''-''); RETURN NEW; END';
  CREATE FUNCTION touch_more() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.note := coalesce(NEW.note, ''+''); RETURN NEW; END';
  CREATE TRIGGER kids_touch BEFORE INSERT ON kids FOR EACH ROW EXECUTE FUNCTION touch();
  INSERT INTO parents SELECT g, 'p' || g FROM generate_series(1, 20) g;
  INSERT INTO kids SELECT g, g % 20 + 1, g, 'c' || g, 'n' || g FROM generate_series(1, 300) g;
  INSERT INTO items SELECT g, '["' || g || '"]', g, 'l' || g FROM generate_series(1, 300) g;`;

// a primary key replaced by a unique index of its name, attached USING INDEX
const PRIMARY_KEY_IN_TWO =
  'ALTER TABLE items DROP CONSTRAINT items_pkey;\nCREATE UNIQUE INDEX items_pkey ON items (id, qty);\nALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_pkey;';

const KIDS = 'SELECT json_agg(k ORDER BY id) AS rows FROM kids k';
const ITEMS = 'SELECT json_agg(i ORDER BY id) AS rows FROM items i';

const CASES: PlanCase[] = [
  {
    name: 'a foreign key dropped and added again under its name (another ON DELETE)',
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_parent_id_fkey;\nALTER TABLE kids ADD CONSTRAINT kids_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE CASCADE;',
    phases: ['expand', 'backfill', 'contract'],
  },
  {
    name: 'a check dropped and added again under its name',
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_x_check;\nALTER TABLE kids ADD CONSTRAINT kids_x_check CHECK (x >= 0);',
    phases: ['expand', 'backfill', 'contract'],
  },
  {
    name: 'a unique key dropped and added again under its name, on other columns',
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_code_key;\nALTER TABLE kids ADD CONSTRAINT kids_code_key UNIQUE (code, x);',
    phases: ['expand', 'contract'],
  },
  {
    name: 'a primary key dropped and added again under its name, in one statement',
    migration:
      'ALTER TABLE parents DROP CONSTRAINT parents_pkey CASCADE, ADD CONSTRAINT parents_pkey PRIMARY KEY (id);',
    phases: ['expand', 'contract'],
  },
  {
    name: 'a primary key and the foreign key that references it both dropped and added again',
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_parent_id_fkey;\nALTER TABLE parents DROP CONSTRAINT parents_pkey;\nALTER TABLE parents ADD CONSTRAINT parents_pkey PRIMARY KEY (id);\nALTER TABLE kids ADD CONSTRAINT kids_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE SET NULL;',
    phases: ['expand', 'contract'],
  },
  {
    name: 'a table dropped and created again: refused',
    migration: 'DROP TABLE items;\nCREATE TABLE items (id bigint PRIMARY KEY);',
    refused: /2:1: table "public"\."items" is dropped earlier in this migration and created again/,
  },
  {
    name: 'a name replaced twice: refused with its reason, not as a model difference',
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_parent_id_fkey;\nALTER TABLE kids ADD CONSTRAINT kids_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE CASCADE;\nALTER TABLE kids DROP CONSTRAINT kids_parent_id_fkey;\nALTER TABLE kids ADD CONSTRAINT kids_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE SET NULL;',
    refused:
      /3:1: this statement drops a name that this migration already dropped and created again, and pgphase plans one replacement of a name per migration/,
  },
  {
    name: 'a column renamed, then its table: refused, contract would name the table by its old name',
    migration: 'ALTER TABLE items RENAME COLUMN label TO title;\nALTER TABLE items RENAME TO goods;',
    refused: /2:1: "items" is renamed after changes to it that the plan finishes in contract under its old name/,
  },
  {
    name: 'a type change of a column added in the same migration: one reason, not a follow-on',
    since: 12,
    migration:
      'ALTER TABLE items ADD COLUMN total int GENERATED ALWAYS AS (qty * 2) STORED;\nALTER TABLE items ALTER COLUMN total TYPE bigint;',
    refused:
      /1:1: adding "total" rewrites the table .*; .*2:1: "total" is added earlier in this migration: give it its final type in the ADD COLUMN/,
  },
  {
    name: 'a primary key moved to more columns, the unique index it replaces dropped, and the foreign key re-pointed at it',
    setup: `CREATE TABLE sessions (id text PRIMARY KEY, project_id int NOT NULL);
      CREATE UNIQUE INDEX sessions_id_project_id_key ON sessions (id, project_id);
      CREATE TABLE traces (id int PRIMARY KEY, session_id text CONSTRAINT traces_session_id_fkey REFERENCES sessions (id), project_id int);
      INSERT INTO sessions SELECT 's' || g, g % 3 FROM generate_series(1, 30) g;
      INSERT INTO traces SELECT g, 's' || (g % 30 + 1), (g % 30 + 1) % 3 FROM generate_series(1, 200) g;`,
    migration: `ALTER TABLE traces DROP CONSTRAINT traces_session_id_fkey;
DROP INDEX sessions_id_project_id_key;
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey, ADD CONSTRAINT sessions_pkey PRIMARY KEY (id, project_id);
ALTER TABLE traces ADD CONSTRAINT traces_session_id_project_id_fkey FOREIGN KEY (session_id, project_id) REFERENCES sessions (id, project_id) ON DELETE RESTRICT;`,
    phases: ['expand', 'contract'],
  },
  {
    name: 'a primary key moved to a new column and the old key column dropped: refused, the new version could not insert',
    setup: 'CREATE TABLE profiles (url text PRIMARY KEY, bio text);',
    migration:
      'ALTER TABLE profiles DROP CONSTRAINT profiles_pkey, DROP COLUMN url, ADD COLUMN id int NOT NULL, ADD CONSTRAINT profiles_pkey PRIMARY KEY (id);',
    refused: /"url" of "public"\."profiles" stays NOT NULL until contract drops the primary key it is in/,
  },
  {
    name: 'an enum changed as Prisma writes it: a new type, the column converted, the old type renamed away and dropped',
    setup: `CREATE TYPE "Source" AS ENUM ('API', 'REVIEW', 'EVAL');
      CREATE TABLE scores (id int PRIMARY KEY, source "Source" NOT NULL);
      INSERT INTO scores SELECT g, CASE WHEN g % 2 = 0 THEN 'API'::"Source" ELSE 'EVAL' END FROM generate_series(1, 100) g;`,
    migration: `CREATE TYPE "Source_new" AS ENUM ('ANNOTATION', 'API', 'EVAL');
ALTER TABLE scores ALTER COLUMN source TYPE "Source_new" USING (source::text::"Source_new");
ALTER TYPE "Source" RENAME TO "Source_old";
ALTER TYPE "Source_new" RENAME TO "Source";
DROP TYPE "Source_old";`,
    data: 'SELECT json_agg(s ORDER BY id) AS rows FROM scores s',
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a type dropped and created again',
    setup: "CREATE TYPE mood AS ENUM ('a');",
    migration: "DROP TYPE mood;\nCREATE TYPE mood AS ENUM ('a', 'b');",
    data: 'SELECT enum_range(NULL::mood)::text AS labels',
    phases: ['expand'],
  },
  {
    name: 'a type change to json, which has no equality operator',
    migration: 'ALTER TABLE items ALTER COLUMN features TYPE json USING features::json;',
    data: "SELECT json_agg(json_build_object('id', id, 'features', features::text) ORDER BY id) AS rows FROM items",
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a view dropped and created again',
    migration: 'DROP VIEW kid_codes;\nCREATE VIEW kid_codes AS SELECT id, code FROM kids WHERE x > 10;',
    data: 'SELECT json_agg(v ORDER BY id) AS rows FROM kid_codes v',
    phases: ['expand'],
  },
  {
    name: 'a view dropped, a column it read changed type, the view created again',
    migration:
      'DROP VIEW kid_codes;\nALTER TABLE kids ALTER COLUMN x TYPE bigint;\nCREATE VIEW kid_codes AS SELECT id, code, x FROM kids;',
    data: 'SELECT json_agg(v ORDER BY id) AS rows FROM kid_codes v',
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a trigger dropped and created again',
    migration:
      'DROP TRIGGER kids_touch ON kids;\nCREATE TRIGGER kids_touch BEFORE INSERT OR UPDATE ON kids FOR EACH ROW EXECUTE FUNCTION touch_more();',
    phases: ['expand'],
  },
  {
    name: 'a new trigger created after DROP TRIGGER IF EXISTS',
    migration:
      'DROP TRIGGER IF EXISTS kids_touch_more ON kids;\nCREATE TRIGGER kids_touch_more BEFORE UPDATE ON kids FOR EACH ROW EXECUTE FUNCTION touch_more();',
    phases: ['expand'],
  },
  {
    name: 'an index dropped and created again',
    migration: 'DROP INDEX kids_x_idx;\nCREATE INDEX kids_x_idx ON kids (x, id) WHERE x > 5;',
    phases: ['expand', 'contract'],
  },
  {
    name: "a unique key replaced in two statements: its index created under the key's name, then attached USING INDEX",
    migration:
      'ALTER TABLE kids DROP CONSTRAINT kids_code_key;\nCREATE UNIQUE INDEX kids_code_key ON kids (code, x);\nALTER TABLE kids ADD CONSTRAINT kids_code_key UNIQUE USING INDEX kids_code_key;',
    data: KIDS,
    phases: ['expand', 'contract'],
  },
  {
    name: "a unique key replaced in two statements, its index dropped IF EXISTS between (the key took it): that drop goes with the key's",
    migration:
      'ALTER TABLE kids DROP CONSTRAINT IF EXISTS kids_code_key;\nDROP INDEX IF EXISTS kids_code_key;\nCREATE UNIQUE INDEX kids_code_key ON kids (code, x);\nALTER TABLE kids ADD CONSTRAINT kids_code_key UNIQUE USING INDEX kids_code_key;',
    data: KIDS,
    phases: ['expand', 'contract'],
  },
  {
    name: 'a primary key replaced in two statements, on NOT NULL columns',
    setup: `${SHOP}\nALTER TABLE items ALTER COLUMN qty SET NOT NULL;`,
    migration: PRIMARY_KEY_IN_TWO,
    data: ITEMS,
    phases: ['expand', 'contract'],
  },
  {
    name: 'a primary key replaced in two statements, on a column that may hold NULL: refused, its NOT NULL would scan under the swap',
    migration: PRIMARY_KEY_IN_TWO,
    refused:
      /3:1: this add constraint on "public"\."items" takes again a name that the drop earlier in this migration frees with another.*make those columns NOT NULL in a migration before this one/,
  },
  {
    name: "a unique key renamed away, and an index created under its old name (the key's index had it)",
    migration:
      'ALTER TABLE kids RENAME CONSTRAINT kids_code_key TO kids_code_old;\nCREATE UNIQUE INDEX kids_code_key ON kids (code, x);',
    data: KIDS,
    phases: ['expand', 'contract'],
  },
  {
    name: 'a function dropped and created again with another return type',
    migration:
      "DROP FUNCTION kid_count();\nCREATE FUNCTION kid_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM kids';",
    phases: ['expand'],
  },
  {
    name: 'an index created again, then the type of its column changed',
    migration:
      'DROP INDEX kids_x_idx;\nCREATE INDEX kids_x_idx ON kids (x, id);\nDROP VIEW kid_codes;\nALTER TABLE kids ALTER COLUMN x TYPE bigint;\nCREATE VIEW kid_codes AS SELECT id, x FROM kids;',
    data: KIDS,
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a column dropped and added again',
    migration: 'ALTER TABLE kids DROP COLUMN note;\nALTER TABLE kids ADD COLUMN note int DEFAULT 7;',
    data: KIDS,
    phases: ['expand', 'contract'],
  },
  {
    name: 'a column renamed away and added again',
    migration: 'ALTER TABLE items RENAME COLUMN label TO old_label;\nALTER TABLE items ADD COLUMN label text;',
    data: ITEMS,
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a column dropped and another renamed to its name: refused, no column can be both names during the overlap',
    migration: 'ALTER TABLE items DROP COLUMN label;\nALTER TABLE items RENAME COLUMN features TO label;',
    refused:
      /2:1: "label" of "public"\."items" is dropped or renamed earlier in this migration: during the overlap the old version reads the old "label"/,
  },
  {
    name: 'two columns renamed that one check reads: refused, the check would be copied twice under one name',
    setup: 'CREATE TABLE spans (id int PRIMARY KEY, lo int, hi int, CHECK (lo <= hi));',
    migration: 'ALTER TABLE spans RENAME COLUMN lo TO low;\nALTER TABLE spans RENAME COLUMN hi TO high;',
    refused:
      /2:1: the constraint "spans_check" of "public"\."spans" covers two columns this migration renames or retypes/,
  },
  {
    name: 'a type change of a column that a CHECK written on another column reads: the check is copied with it',
    setup:
      'CREATE TABLE spans (id int PRIMARY KEY, lo int, hi int CHECK (hi >= lo));\nINSERT INTO spans SELECT g, g, g + 1 FROM generate_series(1, 50) g;',
    migration: 'ALTER TABLE spans ALTER COLUMN lo TYPE bigint;',
    data: 'SELECT json_agg(s ORDER BY id) AS rows FROM spans s',
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'a default set after the type change that replaces the column lands on the new column',
    migration:
      "ALTER TABLE items ALTER COLUMN features TYPE jsonb USING features::jsonb;\nALTER TABLE items ALTER COLUMN features SET DEFAULT '{}';\nCOMMENT ON COLUMN items.features IS 'flags';",
    data: ITEMS,
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'an index and a check written after a type change are built on the new column',
    migration:
      'ALTER TABLE items ALTER COLUMN qty TYPE bigint;\nCREATE INDEX items_qty_big ON items (qty) WHERE qty > 100;\nALTER TABLE items ADD CONSTRAINT items_qty_small CHECK (qty < 100000);',
    data: ITEMS,
    phases: ['expand', 'trigger', 'backfill', 'contract'],
  },
  {
    name: 'REFERENCES, CHECK and UNIQUE written on a new column',
    migration:
      'ALTER TABLE kids ADD COLUMN other_id int REFERENCES parents (id) ON DELETE SET NULL CHECK (other_id > 0) UNIQUE;',
    data: KIDS,
    phases: ['expand', 'backfill', 'contract'],
  },
  ...[11, 18].map((pgVersion) => ({
    name: `a CHECK written on a new column that reads another column, named after both as PostgreSQL names it (PostgreSQL ${pgVersion})`,
    migration: 'ALTER TABLE items ADD COLUMN max_qty int CHECK (max_qty IS NULL OR max_qty >= qty);',
    pgVersion,
    data: ITEMS,
    phases: ['expand', 'backfill'],
  })),
  {
    name: 'CHECKs written on a new column: one reading only another column, one table-qualified, one named',
    migration:
      'ALTER TABLE items ADD COLUMN cap int DEFAULT 1000 CHECK (qty > 0) CHECK (items.cap >= items.qty) CONSTRAINT cap_small CHECK (cap < qty + 100000);',
    data: ITEMS,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a column dropped and added again with a CHECK that reads another column: the check reads the new column',
    migration:
      'ALTER TABLE items DROP COLUMN label;\nALTER TABLE items ADD COLUMN label text CHECK (label IS NULL OR label <> features);',
    data: ITEMS,
    phases: ['expand', 'backfill', 'contract'],
  },
  {
    name: 'DEFERRABLE written after REFERENCES and UNIQUE on a new column goes with each constraint',
    migration:
      'ALTER TABLE kids ADD COLUMN other_id int REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED UNIQUE DEFERRABLE;',
    data: KIDS,
    phases: ['expand', 'backfill', 'contract'],
  },
  {
    name: 'NOT ENFORCED CHECK and REFERENCES written on a new column are added as written',
    since: 18,
    migration:
      'ALTER TABLE items ADD COLUMN cap int CHECK (cap > qty) NOT ENFORCED REFERENCES items (id) NOT ENFORCED CHECK (cap > 0) ENFORCED;',
    data: ITEMS,
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a PRIMARY KEY written on a new column',
    setup:
      'CREATE TABLE logs (n int NOT NULL UNIQUE, body text);\nINSERT INTO logs SELECT g, g::text FROM generate_series(1, 50) g;',
    since: 13,
    migration: 'ALTER TABLE logs ADD COLUMN id uuid DEFAULT gen_random_uuid() PRIMARY KEY;',
    data: 'SELECT count(*), count(DISTINCT id) AS ids FROM logs',
    phases: ['expand', 'backfill', 'contract'],
  },
];

describe('names reused and statements composed in one migration', () => {
  planCases(c, db.major, SHOP, CASES);
});

it("a key made of an existing index: what the plan asks of the running versions names the index's columns", async () => {
  const { plan: planned } = await planAgainstMigration(c, {
    setup:
      'CREATE TABLE kids (id int PRIMARY KEY, code text, x int);\nCREATE UNIQUE INDEX kids_code_x ON kids (code, x);',
    migration: 'ALTER TABLE kids ADD CONSTRAINT kids_code_x UNIQUE USING INDEX kids_code_x;',
  });
  expect(planned.manifest.phases.find((p) => p.name === 'contract')?.requires).toBe(
    'every running version writes "code", "x" without duplicates',
  );
});

describe('a plan does not depend on where the starting schema comes from', () => {
  it('is byte-identical from --history and from the live database', async () => {
    // made in an order that is not the names' order: a replayed history keeps the order of
    // making, the live catalog its own
    const setup = `CREATE TABLE orgs (id int PRIMARY KEY);
      CREATE TABLE accounts (id int PRIMARY KEY, score int, org_id int, label text DEFAULT 'none' CHECK (label LIKE '%-%'), code varchar(8) DEFAULT 'x' NOT NULL);
      -- PostgreSQL prints these its own way: a ~~ 'x'::text, = ANY (ARRAY[…]), >= AND <=
      ALTER TABLE accounts ADD CHECK (score IN (1, 2, 3) AND score BETWEEN 0 AND 10), ADD CHECK (code NOT LIKE 'z%');
      CREATE INDEX accounts_label ON accounts (lower(label)) WHERE label <> '';
      ALTER TABLE accounts ADD CONSTRAINT z_score_small CHECK (score < 1000), ADD CONSTRAINT a_score_positive CHECK (score > 0);
      ALTER TABLE accounts ADD CONSTRAINT m_org FOREIGN KEY (score) REFERENCES orgs (id);
      CREATE INDEX z_score ON accounts (score);
      CREATE INDEX a_score ON accounts (score DESC);
      CREATE TABLE zebras (id int PRIMARY KEY, org_id int REFERENCES orgs (id));
      CREATE TABLE ants (id int PRIMARY KEY, org_id int REFERENCES orgs (id));
      -- PostgreSQL prints this default 'n'::text; the function is not a trigger function
      CREATE TABLE notes (id int PRIMARY KEY, body text DEFAULT 'n');
      CREATE FUNCTION clean(text) RETURNS text LANGUAGE sql AS 'SELECT trim($1)';`;
    const migration = `ALTER TABLE accounts RENAME COLUMN score TO points;\nALTER TABLE accounts RENAME label TO title;\nALTER TABLE accounts RENAME code TO short_code;\nDROP TABLE orgs;
ALTER TABLE notes ALTER COLUMN body SET DEFAULT 'none';\nCREATE OR REPLACE FUNCTION clean(text) RETURNS text LANGUAGE sql AS 'SELECT btrim($1)';`;
    await c.query('ROLLBACK');
    await resetSchema(c);
    await runScript(c, setup);
    const dir = tempTree({ 'migrations/001_setup.sql': setup, 'migrations/002_change.sql': migration });
    const file = join(dir, 'migrations/002_change.sql');
    const fromHistory = await plan({ file, history: join(dir, 'migrations'), out: join(dir, 'a') });
    const fromDatabase = await plan({ file, baseSchema: await readLiveSchema(db.url), out: join(dir, 'b') });
    expect(fromHistory.manifest.phases.length).toBeGreaterThan(1);
    expect(Object.fromEntries(fromDatabase.files)).toEqual(Object.fromEntries(fromHistory.files));
  });

  it('batches a table without a primary key by the same unique key whichever order its indexes were made in', async () => {
    const table = 'CREATE TABLE tags (name text NOT NULL, code text NOT NULL, label text NOT NULL, n int);';
    const indexes = [
      'CREATE UNIQUE INDEX z_tags_name ON tags (name);',
      'CREATE UNIQUE INDEX a_tags_code ON tags (code);',
      'CREATE UNIQUE INDEX m_tags_pair ON tags (label, n);',
    ];
    const keys = [];
    for (const order of [indexes, [...indexes].reverse()]) {
      const dir = tempTree({
        'm/001.sql': [table, ...order].join('\n'),
        'm/002.sql': 'UPDATE tags SET n = 0 WHERE n IS NULL;',
      });
      const p = await plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'plan') });
      keys.push(p.manifest.phases[0]!.backfills![0]!.key);
    }
    expect(keys).toEqual([['code'], ['code']]);
  });
});
