// Establishes the ADD COLUMN default table on real PostgreSQL: each default is added to a table
// with rows, and pg_class.relfilenode says whether the table was rewritten. The generated list
// of built-in functions is compared with the server's own pg_proc.
import { describe, expect, it } from 'vitest';
import { NON_VOLATILE_BUILTINS, VOLATILE_BUILTINS } from '../../src/sql/builtin-volatility.js';
import type { ColumnSpec } from '../../src/sql/changes.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { addColumnRewrite, hasDefault, transactionTime } from '../../src/sql/volatility.js';
import { testDatabase } from '../helpers/db.js';

await loadParser();
const db = await testDatabase();
const c = await db.client();
const pgVersion = Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
await c.query(`
  CREATE FUNCTION answer() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 42';
  CREATE SCHEMA app;
  CREATE FUNCTION app.answer() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 42';`);

/** The column the linter sees for `ADD COLUMN <definition>`. */
function column(definition: string): ColumnSpec {
  const [change] = parseSource('m.sql', `ALTER TABLE t ADD COLUMN ${definition}`).statements.flatMap(
    normalizeStatement,
  );
  if (change?.kind !== 'add-column') throw new Error(`not an ADD COLUMN: ${definition}`);
  return change.column;
}

interface Case {
  definition: string;
  /** Whether pgphase says the table is rewritten, and a fragment of its reason. */
  rewrites: false | string;
  /** What PostgreSQL does where pgphase cannot know (a function it does not ship). */
  observed?: boolean;
}

const cases: Case[] = [
  { definition: "created_at timestamptz DEFAULT (now() AT TIME ZONE 'utc')", rewrites: false },
  { definition: "d date DEFAULT date_trunc('day', now())", rewrites: false },
  { definition: 'g int DEFAULT extract(year from current_date)', rewrites: false },
  { definition: "i text DEFAULT substring('abc' from 1 for 2)", rewrites: false },
  { definition: "j text DEFAULT trim('  a ')", rewrites: false },
  { definition: 'k numeric DEFAULT round(1.5)', rewrites: false },
  { definition: "f text DEFAULT 'x' || 'y'", rewrites: false },
  { definition: "l text DEFAULT to_char(now(), 'YYYY')", rewrites: false },
  { definition: "m text DEFAULT current_setting('TimeZone')", rewrites: false },
  { definition: 'n timestamptz DEFAULT pg_catalog.now()', rewrites: false },
  { definition: "o int DEFAULT coalesce(NULLIF(length(upper('a')), 0), 1)", rewrites: false },
  { definition: "p jsonb DEFAULT jsonb_build_object('a', 1)", rewrites: false },
  { definition: 'q int DEFAULT NULL::int', rewrites: false },
  { definition: 'e timestamptz DEFAULT clock_timestamp()', rewrites: 'clock_timestamp(), which is volatile' },
  { definition: 'r float8 DEFAULT random()', rewrites: 'random(), which is volatile' },
  { definition: 's text DEFAULT md5(random()::text)', rewrites: 'random(), which is volatile' },
  { definition: 'u text DEFAULT timeofday()', rewrites: 'timeofday(), which is volatile' },
  { definition: "v bigint DEFAULT nextval('t_seq')", rewrites: 'nextval(), which is volatile' },
  { definition: 'w int DEFAULT answer()', rewrites: 'answer(), which is not a built-in function', observed: false },
  {
    definition: 'x int DEFAULT app.answer()',
    rewrites: 'app.answer(), which is not a built-in function',
    observed: false,
  },
  { definition: 'y int DEFAULT pg_catalog.abs(app.answer())', rewrites: 'app.answer()', observed: false },
  { definition: 'z bigserial', rewrites: 'bigserial fills every existing row' },
];
if (pgVersion >= 13)
  cases.push({ definition: 'h uuid DEFAULT gen_random_uuid()', rewrites: 'gen_random_uuid(), which is volatile' });

describe('ADD COLUMN defaults on real PostgreSQL', () => {
  for (const k of cases) {
    it(`${k.definition}: ${k.rewrites ? 'rewrites' : 'keeps the table'}`, async () => {
      const reason = addColumnRewrite(column(k.definition), pgVersion);
      if (k.rewrites) expect(reason).toContain(k.rewrites);
      else expect(reason).toBeUndefined();
      await c.query(
        'DROP TABLE IF EXISTS t; DROP SEQUENCE IF EXISTS t_seq; CREATE SEQUENCE t_seq; CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 3)',
      );
      const file = async () =>
        (await c.query("SELECT relfilenode FROM pg_class WHERE oid = 't'::regclass")).rows[0].relfilenode;
      const before = await file();
      await c.query(`ALTER TABLE t ADD COLUMN ${k.definition}`);
      expect((await file()) !== before).toBe(k.observed ?? k.rewrites !== false);
    });
  }

  it('takes a NULL default, cast or not, for no default', () => {
    expect(hasDefault(column('a int NOT NULL DEFAULT NULL'))).toBe(false);
    expect(hasDefault(column('a int NOT NULL DEFAULT NULL::int'))).toBe(false);
    expect(hasDefault(column('a int NOT NULL DEFAULT CAST(NULL AS int)'))).toBe(false);
    expect(hasDefault(column('a int NOT NULL DEFAULT 0'))).toBe(true);
    expect(hasDefault(column('a int NOT NULL'))).toBe(false);
  });

  it('takes any default for a rewrite before PostgreSQL 11, but not a NULL one', () => {
    expect(addColumnRewrite(column("plan text DEFAULT 'free'"), 10)).toContain('before PostgreSQL 11');
    expect(addColumnRewrite(column('plan text DEFAULT NULL::text'), 10)).toBeUndefined();
  });
});

describe('the generated list of built-in functions', () => {
  it("agrees with this server's pg_proc on every name both know", async () => {
    const { rows } = await c.query<{ proname: string; volatile: boolean }>(
      "SELECT proname, bool_or(provolatile = 'v') AS volatile FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname",
    );
    // a name the lists lack (one of a version they were not made from) counts as volatile: never a missed rewrite
    const known = rows.filter((r) => VOLATILE_BUILTINS.has(r.proname) || NON_VOLATILE_BUILTINS.has(r.proname));
    expect(known.length).toBeGreaterThan(2000);
    expect(known.filter((r) => r.volatile !== VOLATILE_BUILTINS.has(r.proname))).toEqual([]);
  });

  it('puts no name on both lists', () => {
    expect([...VOLATILE_BUILTINS].filter((name) => NON_VOLATILE_BUILTINS.has(name))).toEqual([]);
  });
});

describe('the time a transaction started, read by a statement', () => {
  it('is found as written, by name in pg_catalog or by SQL keyword; other clocks and functions are not it', () => {
    const read = (sql: string) => transactionTime(parseSource('m.sql', sql).statements[0]!.node);
    expect(read('UPDATE t SET a = now()')).toBe('now()');
    expect(read('UPDATE t SET a = pg_catalog.transaction_timestamp() WHERE b < 1')).toBe('transaction_timestamp()');
    expect(read('UPDATE t SET a = 1 WHERE b < CURRENT_DATE')).toBe('CURRENT_DATE');
    expect(read('UPDATE t SET a = LOCALTIMESTAMP(3)')).toBe('LOCALTIMESTAMP');
    expect(read('UPDATE t SET a = CURRENT_TIMESTAMP, b = CURRENT_TIME')).toBe('CURRENT_TIMESTAMP');
    expect(read('UPDATE t SET a = clock_timestamp()')).toBeUndefined();
    expect(read('UPDATE t SET a = app.now()')).toBeUndefined();
  });
});
