// DDL inside a DO block (drizzle-kit writes every foreign key so) is linted as the DO statement's
// changes, and the schema model knows what it made; what the block builds for EXECUTE, and its
// data changes, are not read.
import { describe, expect, it } from 'vitest';
import { readStatement } from '../../src/sql/normalize.js';
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
});
