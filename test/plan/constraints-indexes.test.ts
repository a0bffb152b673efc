// Constraints and indexes planned on real PostgreSQL keep every property they were written with:
// the phase files, applied in order, give the catalog the original migration gives, names included.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { applyPhaseFiles, catalog } from '../helpers/catalog.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `
  CREATE TABLE parents (id int, k int, PRIMARY KEY (id, k));
  CREATE TABLE kids (id int PRIMARY KEY, parent_id int, k int, x int, code text);
  CREATE TABLE "Events" (id int PRIMARY KEY, "Email" text, payload jsonb, ts timestamptz);
  CREATE TABLE tags (name text NOT NULL);
  CREATE TABLE measurements (id int, taken date) PARTITION BY RANGE (taken);
  CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
  INSERT INTO tags SELECT 't' || g FROM generate_series(1, 50) g;
  INSERT INTO parents SELECT g, g FROM generate_series(1, 10) g;
  INSERT INTO kids SELECT g, g % 10 + 1, g % 10 + 1, g, 'c' || g FROM generate_series(1, 300) g;
  INSERT INTO "Events" SELECT g, 'E' || g, '{}', now() FROM generate_series(1, 300) g;`;

/** `since`: the PostgreSQL major that first has the syntax (default: every supported one). */
const CASES: Array<{ name: string; migration: string; phases: string[]; since?: number }> = [
  {
    name: 'a foreign key to the primary key, without a column list: MATCH FULL, ON DELETE SET NULL (column)',
    migration:
      'ALTER TABLE kids ADD FOREIGN KEY (parent_id, k) REFERENCES parents MATCH FULL ON DELETE SET NULL (parent_id);',
    phases: ['expand', 'backfill'],
    since: 15,
  },
  {
    name: 'a deferrable foreign key, initially deferred',
    migration:
      'ALTER TABLE kids ADD CONSTRAINT kids_parent_fk FOREIGN KEY (parent_id, k) REFERENCES parents (id, k) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;',
    phases: ['expand', 'backfill'],
  },
  {
    name: 'a check NO INHERIT',
    migration: 'ALTER TABLE kids ADD CHECK (x > 0) NO INHERIT;',
    phases: ['expand', 'backfill'],
  },
  {
    name: 'deferrable unique and primary keys',
    migration:
      'ALTER TABLE kids ADD CONSTRAINT kids_x_key UNIQUE (x) DEFERRABLE;\nALTER TABLE tags ADD PRIMARY KEY (name) DEFERRABLE INITIALLY DEFERRED;',
    phases: ['expand', 'contract'],
  },
  {
    name: 'an unnamed unique key NULLS NOT DISTINCT with INCLUDE, storage options and tablespace, named after its INCLUDE columns too',
    migration:
      'ALTER TABLE kids ADD UNIQUE NULLS NOT DISTINCT (x) INCLUDE (k, code) WITH (fillfactor = 70) USING INDEX TABLESPACE pg_default;',
    phases: ['expand', 'contract'],
    since: 15,
  },
  {
    name: 'indexes with INCLUDE, WITH, TABLESPACE, WHERE, opclasses, collations, order; unnamed ones named as PostgreSQL names them',
    migration: `CREATE INDEX ON "Events" (lower("Email"));
CREATE INDEX ON "Events" (id) INCLUDE ("Email");
CREATE INDEX ON "Events" ((payload ->> 'a'), ("Email"::varchar), lower("Email"), upper("Email") COLLATE "C");
CREATE UNIQUE INDEX ON "Events" ("Email") NULLS NOT DISTINCT WHERE ts IS NOT NULL;
CREATE INDEX ev_payload ON "Events" USING gin (payload jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX ev_desc ON "Events" (ts DESC NULLS LAST, "Email" COLLATE "C" text_pattern_ops) INCLUDE (id) WITH (fillfactor = 70) TABLESPACE pg_default;`,
    phases: ['expand'],
    since: 15,
  },
  {
    name: "an index ON ONLY a partitioned table (as written: it builds nothing), a partition's built concurrently and attached",
    migration: `CREATE INDEX measurements_taken_idx ON ONLY measurements (taken);
CREATE INDEX measurements_2025_taken_idx ON measurements_2025 (taken);
ALTER INDEX measurements_taken_idx ATTACH PARTITION measurements_2025_taken_idx;`,
    phases: ['expand'],
  },
];

describe('constraints and indexes keep their properties and names', () => {
  for (const k of CASES) {
    it.runIf(db.major >= (k.since ?? 0))(k.name, async () => {
      await resetSchema(c);
      await runScript(c, SETUP);
      await runScript(c, k.migration);
      const expected = await catalog(c);

      const dir = tempTree({ 'migrations/001_setup.sql': SETUP, 'migrations/002_change.sql': k.migration });
      const result = await plan({
        file: join(dir, 'migrations/002_change.sql'),
        history: join(dir, 'migrations'),
        out: join(dir, 'plan'),
      });
      expect(result.manifest.phases.map((p) => p.name)).toEqual(k.phases);

      await resetSchema(c);
      await runScript(c, SETUP);
      await applyPhaseFiles(c, result.dir, result.manifest);
      expect(await catalog(c)).toEqual(expected);
    });
  }
});

describe('a key pgphase cannot build concurrently', () => {
  it('refuses a unique key WITHOUT OVERLAPS, naming the table', async () => {
    const dir = tempTree({
      'm/001.sql': 'CREATE TABLE rooms (id int, booked tstzrange);',
      'm/002.sql': 'ALTER TABLE rooms ADD UNIQUE (id, booked WITHOUT OVERLAPS);',
    });
    await expect(plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm') })).rejects.toThrow(
      /002\.sql:1:1: a unique key WITHOUT OVERLAPS on "public"\."rooms" needs a GiST index that pgphase does not build concurrently yet/,
    );
  });
});

describe('an index of a partitioned table', () => {
  it('refuses to build one CONCURRENTLY, which PostgreSQL refuses, saying how; drops one as written in contract', async () => {
    const dir = tempTree({
      'm/001.sql':
        'CREATE TABLE ev (id bigint, kind int) PARTITION BY LIST (kind);\nCREATE TABLE ev_0 PARTITION OF ev FOR VALUES IN (0);\nCREATE INDEX ev_id ON ev (id);',
      'm/002.sql': 'CREATE INDEX ev_kind ON ev (kind);',
      'm/003.sql': 'DROP INDEX ev_id;',
    });
    await expect(plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm') })).rejects.toThrow(
      /002\.sql:1:1: "public"\."ev" is partitioned, and PostgreSQL builds no index of a partitioned table CONCURRENTLY: Create it `ON ONLY`/,
    );
    const dropped = await plan({ file: join(dir, 'm/003.sql'), history: join(dir, 'm'), out: join(dir, 'p') });
    expect(dropped.manifest.phases.map((p) => [p.name, p.steps.map((s) => s.sql)])).toEqual([
      ['contract', ['DROP INDEX ev_id']],
    ]);
  });
});

describe('a constraint NOT ENFORCED', () => {
  it('stays as written in expand: it checks no row, so there is nothing to validate', async () => {
    const dir = tempTree({
      'm/001.sql': 'CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE k (id int, p_id int);',
      'm/002.sql': 'ALTER TABLE k ADD FOREIGN KEY (p_id) REFERENCES p NOT ENFORCED;',
    });
    const result = await plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'plan') });
    expect(result.manifest.phases.map((p) => ({ phase: p.name, sql: p.steps.map((s) => s.sql) }))).toEqual([
      { phase: 'expand', sql: ['ALTER TABLE k ADD FOREIGN KEY (p_id) REFERENCES p NOT ENFORCED'] },
    ]);
  });
});
