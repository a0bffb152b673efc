// DDL inside a DO block (drizzle-kit writes every foreign key so) is linted as the DO statement's
// changes, and the schema model knows what it made; what the block builds for EXECUTE, and its
// data changes, are not read.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/sql/changes.js';
import { mayChangeSchema, readStatement } from '../../src/sql/normalize.js';
import { parseSource } from '../../src/sql/source.js';
import { lintSql, where } from '../helpers/lint.js';

const HISTORY =
  'CREATE TABLE teams (id bigint PRIMARY KEY);\nCREATE TABLE members (id bigint PRIMARY KEY, team_id bigint);';
const DRIZZLE = `DO $$ BEGIN
 ALTER TABLE "members" ADD CONSTRAINT "members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;`;

describe('DO blocks', () => {
  it('reads the schema changes a PL/pgSQL body runs as written, in branches too, and not its EXECUTE strings or data changes', () => {
    const [statement] = parseSource(
      'm.sql',
      `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('ok'); END IF;
  ALTER TABLE members ADD COLUMN note text;
  UPDATE members SET note = 'x';
  EXECUTE 'DROP TABLE teams';
END $$;`,
    ).statements;
    expect(readStatement(statement!).map((c) => c.kind)).toEqual(['other', 'create-enum', 'add-column']);
    // a position in the body's own text would point at the wrong place of the file
    expect(readStatement(statement!).find((c) => c.kind === 'add-column')).not.toHaveProperty('column.at');
  });

  it('flags the validated foreign key drizzle-kit adds in one, at the DO statement, and its lock', () => {
    const result = lintSql(`${DRIZZLE}\n`, { history: HISTORY });
    expect(where(result, 'add-foreign-key-validated')).toEqual(['add-foreign-key-validated@1:1']);
    expect(where(result, 'missing-lock-timeout')).toEqual(['missing-lock-timeout@1:1']);
  });

  it('knows a foreign key a DO block made when a later migration drops it', () => {
    const drop = 'ALTER TABLE members DROP CONSTRAINT IF EXISTS members_team_id_teams_id_fk;';
    // dropping the foreign key locks the table it references too: known only when the key is
    const lock = (history: string) =>
      lintSql(drop, { history }).findings.find((f) => f.rule === 'missing-lock-timeout')!.message;
    expect(lock(`${HISTORY}\n${DRIZZLE}`)).toContain('"teams"');
    expect(lock(HISTORY)).not.toContain('"teams"');
  });

  it('leaves a block that only changes data, or is not PL/pgSQL, as it was', () => {
    const batched = lintSql('DO $$ BEGIN UPDATE members SET team_id = 1 WHERE id < 1000; END $$;\n', {
      history: HISTORY,
    });
    expect(where(batched, 'unbatched-data-change')).toEqual([]);
    const [sql] = parseSource('m.sql', "DO LANGUAGE plperl $$ print 'x' $$;").statements;
    expect(readStatement(sql!).map((c) => c.kind)).toEqual(['other']);
  });

  // A body's PL/pgSQL parse is skipped when no statement in it can make a change a DO block is
  // read for. One statement of every such kind (a new kind fails the type check until it is here):
  const OF_EACH_KIND: Record<Exclude<Change['kind'], 'other' | 'data-change' | 'set' | 'transaction'>, string[]> = {
    'create-table': ['CREATE TABLE t (a int)', 'create unlogged table t (a int)'],
    'create-table-as': ['CREATE TABLE t2 AS SELECT 1 AS a'],
    'drop-table': ['DROP TABLE t'],
    'rename-table': ['ALTER TABLE t RENAME TO t3'],
    'add-column': ['ALTER TABLE t ADD COLUMN c int'],
    'drop-column': ['ALTER TABLE t DROP COLUMN c'],
    'rename-column': ['ALTER TABLE t RENAME COLUMN a TO b'],
    'alter-column-type': ['ALTER TABLE t ALTER COLUMN a TYPE bigint'],
    'set-not-null': ['ALTER TABLE t ALTER COLUMN a SET NOT NULL'],
    'drop-not-null': ['ALTER TABLE t ALTER COLUMN a DROP NOT NULL'],
    'set-default': ['ALTER TABLE t ALTER COLUMN a SET DEFAULT 1'],
    'add-identity': ['ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY'],
    'drop-default': ['ALTER TABLE t ALTER COLUMN a DROP DEFAULT'],
    'add-constraint': ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)'],
    'validate-constraint': ['ALTER TABLE t VALIDATE CONSTRAINT c'],
    'drop-constraint': ['ALTER TABLE t DROP CONSTRAINT c'],
    'rename-constraint': ['ALTER TABLE t RENAME CONSTRAINT c TO d'],
    'create-index': ['CREATE INDEX i ON t (a)', 'CREATE UNIQUE INDEX i ON t (a)'],
    'drop-index': ['DROP INDEX i'],
    reindex: ['REINDEX INDEX i'],
    'create-enum': ["CREATE TYPE e AS ENUM ('a')"],
    'enum-add-value': ["ALTER TYPE e ADD VALUE 'b'"],
    'enum-rename-value': ["ALTER TYPE e RENAME VALUE 'a' TO 'c'"],
    'create-object': [
      'CREATE VIEW v AS SELECT 1',
      'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$',
      'CREATE SEQUENCE s',
      'CREATE EXTENSION x',
      'CREATE SCHEMA s',
      'CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()',
      'CREATE MATERIALIZED VIEW m AS SELECT 1',
      'CREATE AGGREGATE g (int) (sfunc = int4pl, stype = int)',
    ],
    'rename-object': ['ALTER VIEW v RENAME TO w'],
    'drop-object': ['DROP VIEW v', 'DROP FUNCTION f()'],
    'create-domain': ['CREATE DOMAIN d AS int'],
    'alter-domain-add-constraint': ['ALTER DOMAIN d ADD CONSTRAINT p CHECK (VALUE > 0)'],
    'alter-domain-validate-constraint': ['ALTER DOMAIN d VALIDATE CONSTRAINT p'],
    truncate: ['TRUNCATE t'],
    'lock-table': ['LOCK TABLE t IN SHARE MODE'],
    'table-rewrite': ['CLUSTER t USING i', 'VACUUM FULL t'],
    'refresh-matview': ['REFRESH MATERIALIZED VIEW m'],
    'detach-partition': ['ALTER TABLE t DETACH PARTITION p'],
    'attach-partition': ['ALTER TABLE t ATTACH PARTITION p FOR VALUES IN (1)'],
    comment: ["COMMENT ON TABLE t IS 'x'"],
    'column-comment': ["COMMENT ON COLUMN t.a IS 'x'"],
    'alter-table-other': ['ALTER TABLE t CLUSTER ON i'],
    publication: ['CREATE PUBLICATION p FOR TABLE t'],
  };

  it('reads a statement of every kind a body is read for, in any case: each begins with a word the body is searched for', () => {
    for (const [kind, statements] of Object.entries(OF_EACH_KIND)) {
      for (const sql of statements) {
        for (const written of [sql, sql.toLowerCase()]) {
          const [statement] = parseSource('m.sql', `DO $body$ BEGIN ${written}; END $body$;`).statements;
          expect(
            readStatement(statement!).map((c) => c.kind),
            written,
          ).toContain(kind);
        }
      }
    }
  });

  it('reads no table made by SELECT … INTO, which in PL/pgSQL sets variables: SELECT is not among the words', () => {
    const [statement] = parseSource(
      'm.sql',
      'DO $$ DECLARE v int; BEGIN WITH x AS (SELECT 1 AS a) SELECT a INTO v FROM x; CREATE TABLE z (a int); END $$;',
    ).statements;
    expect(readStatement(statement!).map((c) => c.kind)).toEqual(['other', 'create-table']);
  });

  it('skips the PL/pgSQL parse only of a body where no such word stands alone', () => {
    expect(mayChangeSchema("BEGIN UPDATE t SET created_at = now(); PERFORM pg_notify('drop_x', 'altered'); END")).toBe(
      false,
    );
    expect(mayChangeSchema('BEGIN IF x THEN\n  Drop table t; END IF; END')).toBe(true);
    expect(mayChangeSchema("BEGIN RAISE NOTICE 'create later'; END")).toBe(true);
  });
});
