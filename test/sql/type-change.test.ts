// Establishes every entry of the type-change table on real PostgreSQL: for each pair a table
// with rows and two indexes (one on the column) is altered, and pg_class.relfilenode says
// whether the table and the indexes were rewritten; pg_stat_xact_user_tables.seq_scan says
// whether rows were read without a rewrite. Narrowing is proven with a value PostgreSQL
// rejects or changes; tolerated with the previous version's statements (INSERT, UPDATE, equality
// and ordering, through pg with parameters typed as the old type, values decoded by pg as an
// application gets them) answering the same after the change, and its absence with a statement of
// the previous version that answers differently afterwards.
import { describe, expect, it } from 'vitest';
import type { TypeRef } from '../../src/sql/changes.js';
import { schemaFrom } from '../../src/schema/model.js';
import { qkey } from '../../src/sql/names.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { analyzeAlter, analyzeTypeChange, type TypeChangeCost } from '../../src/sql/type-change.js';
import { testDatabase } from '../helpers/db.js';

await loadParser();
const db = await testDatabase();
const c = await db.client();
const pgVersion = Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
await c.query(`
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN plain_text AS text;
  CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 100);`);

/** The change the linter sees for `ALTER COLUMN c TYPE <type> [USING <using>]`. */
function alterType(type: string, using?: string) {
  const sql = `ALTER TABLE t ALTER COLUMN c TYPE ${type}${using ? ` USING ${using}` : ''}`;
  const [change] = parseSource('m.sql', sql).statements.flatMap(normalizeStatement);
  if (change?.kind !== 'alter-column-type') throw new Error(`not a type change: ${sql}`);
  return change;
}

const typeOf = (type: string): TypeRef => alterType(type).type;
const enums = new Set([qkey({ name: 'mood' })]);

interface Case {
  from: string;
  to: string;
  using?: string;
  /** The session TimeZone of the ALTER (default UTC). */
  timeZone?: string;
  cost: TypeChangeCost;
  narrowing: boolean;
  tolerated: boolean;
  /** What PostgreSQL does where the module deliberately assumes more. */
  observed?: TypeChangeCost;
  /** The module does not know the pair: its answer is the conservative default. */
  unknown?: true;
  /** Existing rows, as SQL literals of `from`. */
  values: string[];
  /** The indexed expression, for types without a btree operator class. */
  index?: string;
  /** Proves narrowing: an existing value the change rejects (error) or changes (its new output). */
  loses?: { value: string; error?: string; becomes?: string };
  /** Proves the previous version notices: one of its statements, run before and after the change on `{t}`. */
  oldVersion?: { sql: string; before: string; after: string };
}

const ts = "'2024-01-01 12:00'";
const uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

const CASES: Case[] = [
  // strings: varchar grows in place; char(n) pads and trims, so it always rewrites
  // tolerated: every string the old version writes (≤ 10) still fits and reads back as written
  {
    from: 'varchar(10)',
    to: 'varchar(20)',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ["'a'", "'ten chars!'"],
  },
  {
    from: 'varchar(20)',
    to: 'varchar(10)',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ["'short'"],
    loses: { value: "repeat('x', 15)", error: 'value too long for type character varying(10)' },
  },
  // tolerated: varchar and text share storage and operators
  { from: 'varchar', to: 'text', cost: 'free', narrowing: false, tolerated: true, values: ["'a'"] },
  { from: 'varchar(10)', to: 'text', cost: 'free', narrowing: false, tolerated: true, values: ["'a'"] },
  {
    from: 'text',
    to: 'varchar(10)',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ["'short'"],
    loses: { value: "repeat('x', 15)", error: 'value too long for type character varying(10)' },
  },
  { from: 'varchar(10)', to: 'varchar', cost: 'free', narrowing: false, tolerated: true, values: ["'a'"] },
  // tolerated: an unlimited varchar takes every text and compares like text
  { from: 'text', to: 'varchar', cost: 'free', narrowing: false, tolerated: true, values: ["'a'"] },
  // not tolerated: what the old version writes reads back with other padding
  {
    from: 'char(10)',
    to: 'char(20)',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["'a'"],
    oldVersion: {
      sql: "INSERT INTO {t} (id, c) VALUES (100, 'ab') RETURNING c",
      before: 'ab'.padEnd(10),
      after: 'ab'.padEnd(20),
    },
  },
  {
    from: 'char(10)',
    to: 'varchar(10)',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["'a'"],
    oldVersion: { sql: "INSERT INTO {t} (id, c) VALUES (100, 'ab') RETURNING c", before: 'ab'.padEnd(10), after: 'ab' },
  },
  {
    from: 'char(10)',
    to: 'text',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["'a'"],
    oldVersion: { sql: "INSERT INTO {t} (id, c) VALUES (100, 'ab') RETURNING c", before: 'ab'.padEnd(10), after: 'ab' },
  },

  // integers and numeric: every conversion function rewrites; numeric grows in place at the same scale
  // tolerated: every smaller integer fits and prints the same (a driver may map bigint to another host type)
  { from: 'int2', to: 'int4', cost: 'rewrite', narrowing: false, tolerated: true, values: ['1', '32767'] },
  { from: 'int4', to: 'int8', cost: 'rewrite', narrowing: false, tolerated: true, values: ['1', '2147483647'] },
  {
    from: 'int8',
    to: 'int4',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ['1'],
    loses: { value: '1099511627776', error: 'integer out of range' },
  },
  // not tolerated: the old version's integer arithmetic becomes numeric arithmetic
  {
    from: 'int4',
    to: 'numeric',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ['7'],
    oldVersion: { sql: 'SELECT c / 2 FROM {t} WHERE id = 1', before: '3', after: '3.5000000000000000' },
  },
  // tolerated: numeric(10,2) values fit numeric(12,2) with the same digits
  {
    from: 'numeric(10,2)',
    to: 'numeric(12,2)',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ['1.5', '12345678.99'],
  },
  // not narrowing: 8 integer digits either way; not tolerated: values print with four decimals
  {
    from: 'numeric(10,2)',
    to: 'numeric(12,4)',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ['1.5'],
    oldVersion: { sql: 'SELECT c FROM {t} WHERE id = 1', before: '1.50', after: '1.5000' },
  },
  {
    from: 'numeric(10,2)',
    to: 'numeric(8,2)',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ['1.5'],
    loses: { value: '12345678.99', error: 'numeric field overflow' },
  },
  // tolerated: unconstrained numeric keeps a numeric(10,2) value as it is
  {
    from: 'numeric(10,2)',
    to: 'numeric',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ['1.5', '12345678.99'],
  },
  {
    from: 'numeric',
    to: 'numeric(10,2)',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ['1.5'],
    loses: { value: '1.555', becomes: '1.56' },
  },
  {
    from: 'numeric',
    to: 'int4',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ['1'],
    loses: { value: '2.5', becomes: '3' },
  },
  // not tolerated: existing reals print with the digits float8 sees
  {
    from: 'float4',
    to: 'float8',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ['0.1'],
    oldVersion: { sql: 'SELECT c FROM {t} WHERE id = 1', before: '0.1', after: '0.10000000149011612' },
  },
  {
    from: 'float8',
    to: 'float4',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ['0.5'],
    loses: { value: '0.123456789012', becomes: '0.12345679' },
  },

  // time zones: PostgreSQL ≥ 12 keeps the table under a zero-offset TimeZone but still rebuilds the
  // column's index (other operator class); the module cannot know the migration's session, so says rewrite
  // tolerated: timestamp parameters convert to the column and back in the session TimeZone, and the old
  // version decodes the instants it wrote (in the time zone it shares with its sessions)
  {
    from: 'timestamp',
    to: 'timestamptz',
    timeZone: 'UTC',
    cost: 'rewrite',
    observed: 'scan',
    narrowing: false,
    tolerated: true,
    values: [ts, "'2024-07-01 23:59:59.5'"],
  },
  {
    from: 'timestamp',
    to: 'timestamptz',
    timeZone: 'Europe/Berlin',
    cost: 'rewrite',
    narrowing: false,
    tolerated: true,
    values: [ts, "'2024-07-01 23:59:59.5'"],
  },
  {
    from: 'timestamptz',
    to: 'timestamp',
    timeZone: 'UTC',
    cost: 'rewrite',
    observed: 'scan',
    narrowing: true,
    tolerated: false,
    values: [ts],
    loses: { value: "'2024-01-01 12:00+02'", becomes: '2024-01-01 10:00:00' },
  },
  {
    from: 'timestamptz',
    to: 'timestamp',
    timeZone: 'Europe/Berlin',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: [ts],
    loses: { value: "'2024-01-01 12:00+02'", becomes: '2024-01-01 11:00:00' },
  },
  // tolerated: millisecond values fit microsecond precision unchanged
  {
    from: 'timestamp(3)',
    to: 'timestamp(6)',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ["'2024-01-01 12:00:00.123'"],
  },
  {
    from: 'time(6)',
    to: 'time(3)',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ["'12:00'"],
    loses: { value: "'12:00:00.123456'", becomes: '12:00:00.123' },
  },

  // network, enum, json, uuid
  // not tolerated: a host address the old version writes comes back without its /32
  {
    from: 'cidr',
    to: 'inet',
    cost: 'free',
    narrowing: false,
    tolerated: false,
    values: ["'10.0.0.0/8'"],
    oldVersion: {
      sql: "INSERT INTO {t} (id, c) VALUES (100, '10.1.2.3') RETURNING c",
      before: '10.1.2.3/32',
      after: '10.1.2.3',
    },
  },
  {
    from: 'inet',
    to: 'cidr',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ["'10.0.0.0/8'"],
    loses: { value: "'10.1.2.3/8'", becomes: '10.0.0.0/8' },
  },
  // not tolerated: the old version's text-typed parameters no longer fit the column
  {
    from: 'text',
    to: 'mood',
    using: 'c::mood',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: ["'ok'"],
    loses: { value: "'nope'", error: 'invalid input value for enum mood: "nope"' },
    oldVersion: {
      sql: "INSERT INTO {t} (id, c) VALUES (100, 'ok'::text) RETURNING c",
      before: 'ok',
      after: 'error: column "c" is of type mood but expression is of type text',
    },
  },
  // not tolerated: comparisons with the enum (and its order) are gone
  {
    from: 'mood',
    to: 'text',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["'ok'", "'happy'"],
    oldVersion: {
      sql: "SELECT count(*) FROM {t} WHERE c = 'ok'::mood",
      before: '1',
      after: 'error: operator does not exist: text = mood',
    },
  },
  {
    from: 'json',
    to: 'jsonb',
    cost: 'rewrite',
    narrowing: true,
    tolerated: false,
    values: [`'{"a": 1}'`],
    index: '((c::text))',
    loses: { value: `'{"a": 1, "a": 2}'`, becomes: '{"a": 2}' },
  },
  // not narrowing: json keeps jsonb's text; not tolerated: json has no containment (or equality) operators
  {
    from: 'jsonb',
    to: 'json',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: [`'{"a": 1}'`],
    index: '((c::text))',
    oldVersion: {
      sql: `SELECT count(*) FROM {t} WHERE c @> '{"a": 1}'`,
      before: '1',
      after: 'error: operator does not exist: json @> unknown',
    },
  },
  {
    from: 'uuid',
    to: 'text',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: [`'${uuid}'`],
    oldVersion: {
      sql: `SELECT count(*) FROM {t} WHERE c = '${uuid}'::uuid`,
      before: '1',
      after: 'error: operator does not exist: text = uuid',
    },
  },

  // USING: PostgreSQL looks at the planned expression; the column itself (or cast to the old or new
  // type) costs what no USING costs, anything else rewrites. tolerated is about the types only.
  { from: 'text', to: 'text', using: 'c::text', cost: 'free', narrowing: false, tolerated: true, values: ["'a'"] },
  {
    from: 'varchar(10)',
    to: 'varchar(20)',
    using: 'c::varchar(20)',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ["'a'"],
  },
  {
    from: 'varchar(10)',
    to: 'varchar(20)',
    using: 'c',
    cost: 'free',
    narrowing: false,
    tolerated: true,
    values: ["'a'"],
  },
  {
    from: 'varchar(10)',
    to: 'varchar(20)',
    using: 'lower(c)',
    cost: 'rewrite',
    narrowing: false,
    tolerated: true,
    values: ["'a'"],
  },
  // the cast to an unlimited varchar loses the length the support function needs to skip the rows
  {
    from: 'varchar(10)',
    to: 'varchar(20)',
    using: 'c::varchar',
    cost: 'rewrite',
    narrowing: false,
    tolerated: true,
    values: ["'a'"],
  },
  { from: 'int4', to: 'int4', using: 'c + 0', cost: 'rewrite', narrowing: false, tolerated: true, values: ['1'] },

  // arrays: narrowing follows the element type, but any element conversion rewrites, even a
  // binary-coercible one; only dropping the modifier is free
  {
    from: 'varchar(10)[]',
    to: 'varchar(20)[]',
    cost: 'rewrite',
    narrowing: false,
    tolerated: true,
    values: ["ARRAY['a']"],
  },
  { from: 'varchar(10)[]', to: 'varchar[]', cost: 'free', narrowing: false, tolerated: true, values: ["ARRAY['a']"] },
  // not tolerated: an array of another element type has no equality with the old version's array parameters
  {
    from: 'varchar[]',
    to: 'text[]',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["ARRAY['a']"],
    oldVersion: {
      sql: "SELECT count(*) FROM {t} WHERE c = ARRAY['a']::varchar[]",
      before: '1',
      after: 'error: operator does not exist: text[] = character varying[]',
    },
  },
  {
    from: 'int4[]',
    to: 'int8[]',
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ['ARRAY[1]'],
    oldVersion: {
      sql: 'SELECT count(*) FROM {t} WHERE c = ARRAY[1]::int4[]',
      before: '1',
      after: 'error: operator does not exist: bigint[] = integer[]',
    },
  },

  // types the module cannot see through (here domains): conservatively a rewrite; no type change merely scans,
  // not even to a domain with a CHECK
  {
    from: 'text',
    to: 'plain_text',
    unknown: true,
    cost: 'rewrite',
    observed: 'free',
    narrowing: false,
    tolerated: false,
    values: ["'a'"],
  },
  {
    from: 'text',
    to: 'short_text',
    unknown: true,
    cost: 'rewrite',
    narrowing: false,
    tolerated: false,
    values: ["'a'"],
  },
];

function caseName(c: Case): string {
  return `${c.from} → ${c.to}${c.using ? ` USING ${c.using}` : ''}${c.timeZone ? ` (TimeZone ${c.timeZone})` : ''}`;
}

describe('analyzeTypeChange', () => {
  it('gives the reason a message shows', () => {
    const reason = (from: string, to: string, pgVersion = 15) =>
      analyzeTypeChange(typeOf(from), typeOf(to), { pgVersion }).reason;
    expect(reason('int4', 'int8')).toBe('integer → bigint rewrites the table and its indexes');
    expect(reason('varchar(10)', 'text')).toBe('varchar(10) → text only changes the catalog');
    expect(reason('int8', 'int4')).toBe(
      'bigint → integer rewrites the table and its indexes; values outside the range fail',
    );
    expect(reason('timestamp', 'timestamptz')).toBe(
      'timestamp → timestamptz rewrites the table and its indexes unless the session TimeZone is UTC',
    );
    // before 12 the time zone made no difference
    expect(reason('timestamp', 'timestamptz', 11)).toBe('timestamp → timestamptz rewrites the table and its indexes');
    // a session known to be in UTC, no index on the column (established on PostgreSQL below)
    const utc = (from: string, to: string, pgVersion = 15) =>
      analyzeTypeChange(typeOf(from), typeOf(to), { pgVersion, utc: 'unindexed' });
    expect(utc('timestamptz', 'timestamp')).toMatchObject({
      cost: 'free',
      reason:
        'timestamptz → timestamp only changes the catalog: the session TimeZone is UTC; values become wall-clock time of the session TimeZone',
    });
    expect(utc('timestamp', 'timestamptz', 11).cost).toBe('rewrite');
    expect(utc('timestamp[]', 'timestamptz[]').cost).toBe('rewrite');
    expect(utc('int4', 'int8').cost).toBe('rewrite');
    // an index on the column is rebuilt (seen on PostgreSQL in the cases below, TimeZone UTC)
    expect(
      analyzeTypeChange(typeOf('timestamp'), typeOf('timestamptz'), { pgVersion: 15, utc: 'indexed' }),
    ).toMatchObject({
      cost: 'rewrite',
      keepsTable: true,
      reason:
        'timestamp → timestamptz keeps the table, the session TimeZone being UTC, but rebuilds its indexes on the column',
    });
    expect(reason('text', 'hstore')).toBe(
      'text → hstore is not a change pgphase knows, so it is taken to rewrite the table and its indexes',
    );
    // a serial column has the integer type
    expect(reason('serial', 'int8')).toBe('integer → bigint rewrites the table and its indexes');
    expect(reason('bigserial', 'int8')).toBe('bigint → bigint only changes the catalog');
    expect(reason('bigserial', 'int4')).toBe(
      'bigint → integer rewrites the table and its indexes; values outside the range fail',
    );
  });

  it('takes a USING it cannot see as a rewrite, and one that only names the column as none', () => {
    const from = typeOf('varchar(10)');
    const change = alterType('varchar(20)', 'c::varchar(20)');
    expect(analyzeTypeChange(from, change.type, { pgVersion: 15, using: true })).toMatchObject({
      cost: 'rewrite',
      tolerated: true,
      reason: 'varchar(10) → varchar(20) with USING rewrites the table and its indexes',
    });
    expect(analyzeTypeChange(from, change.type, { pgVersion: 15, using: change.using! }).cost).toBe('rewrite'); // no column given
    expect(analyzeTypeChange(from, change.type, { pgVersion: 15, using: change.using!, column: 'c' }).cost).toBe(
      'free',
    );
    expect(analyzeTypeChange(from, change.type, { pgVersion: 15, using: change.using!, column: 'd' }).cost).toBe(
      'rewrite',
    );
    const other = alterType('varchar(20)', 'd');
    expect(analyzeTypeChange(from, other.type, { pgVersion: 15, using: other.using!, column: 'c' }).cost).toBe(
      'rewrite',
    );
  });

  it('knows enums by the schema model key or by bare name, and not at all without them', () => {
    const text = typeOf('text');
    expect(
      analyzeTypeChange(text, typeOf('app.mood'), {
        pgVersion: 15,
        using: true,
        enums: new Set([qkey({ schema: 'app', name: 'mood' })]),
      }).narrowing,
    ).toBe(true);
    expect(
      analyzeTypeChange(text, typeOf('mood'), { pgVersion: 15, using: true, enums: new Set(['mood']) }).narrowing,
    ).toBe(true);
    expect(
      analyzeTypeChange(text, typeOf('mood'), {
        pgVersion: 15,
        using: true,
        enums: new Map([[qkey({ name: 'mood' }), ['ok']]]),
      }).narrowing,
    ).toBe(true);
    expect(analyzeTypeChange(text, typeOf('mood'), { pgVersion: 15, using: true })).toMatchObject({
      cost: 'rewrite',
      narrowing: false,
      tolerated: false,
    });
  });

  it('treats an array on one side only as unknown', () => {
    expect(analyzeTypeChange(typeOf('text'), typeOf('text[]'), { pgVersion: 15, using: true })).toMatchObject({
      cost: 'rewrite',
      narrowing: false,
      tolerated: false,
      reason: 'text → text[] with USING rewrites the table and its indexes',
    });
    expect(analyzeTypeChange(typeOf('int4[]'), typeOf('int4'), { pgVersion: 15 }).reason).toBe(
      'integer[] → integer is not a change pgphase knows, so it is taken to rewrite the table and its indexes',
    );
  });
});

describe('analyzeTypeChange on PostgreSQL', () => {
  /** First cell of the first row as PostgreSQL prints it (no client-side parsing), or `error: …`. */
  async function cell(sql: string): Promise<string> {
    try {
      const r = await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
      return String(r.rows[0]?.[0]);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }

  async function files(t: string): Promise<{ table: string; column: string; other: string }> {
    const r = await c.query(
      `SELECT (SELECT relfilenode FROM pg_class WHERE oid = $1::regclass) AS table,
              (SELECT relfilenode FROM pg_class WHERE oid = $2::regclass) AS column,
              (SELECT relfilenode FROM pg_class WHERE oid = $3::regclass) AS other`,
      [t, `${t}_c`, `${t}_id`],
    );
    return r.rows[0];
  }

  /** A value as the application gets it from pg's decoders, in a form to compare. */
  const decoded = (v: unknown): unknown =>
    v instanceof Date
      ? `instant ${v.getTime()}`
      : Array.isArray(v)
        ? v.map(decoded)
        : v !== null && typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);

  /**
   * What the previous version sees of the column, in the time zone of its sessions: the existing
   * rows, and its own INSERT, UPDATE, equality and ordering through pg, every parameter typed as the
   * old type in the statement (so PostgreSQL's Parse gives it that type). Row ids are relative to `base`.
   */
  async function oldVersionSees(t: string, k: Case, base: number): Promise<string[]> {
    const zone = process.env.TZ;
    process.env.TZ = k.timeZone ?? 'UTC';
    const out: string[] = [];
    const run = async (text: string, values: unknown[]) => {
      try {
        out.push(
          JSON.stringify(
            (await c.query({ text, values, rowMode: 'array' })).rows.map((row: unknown[]) => row.map(decoded)),
          ),
        );
      } catch (error) {
        out.push(`error: ${(error as Error).message}`);
      }
    };
    try {
      await run(`SELECT c FROM ${t} WHERE id <= ${k.values.length} ORDER BY id`, []);
      for (const [n, v] of k.values.entries()) {
        const param = await cell(`SELECT ((${v})::${k.from})::text`);
        await run(`INSERT INTO ${t} (id, c) VALUES ($1, $2::${k.from}) RETURNING c`, [base + n, param]);
        await run(`UPDATE ${t} SET c = $2::${k.from} WHERE id = $1 RETURNING c`, [base + n, param]);
        await run(`SELECT id - $2 FROM ${t} WHERE c = $1::${k.from} AND id >= $2 ORDER BY id`, [param, base]);
      }
      if (!k.index) await run(`SELECT id - $1 FROM ${t} WHERE id >= $1 AND id < $1 + 1000 ORDER BY c, id`, [base]);
    } finally {
      process.env.TZ = zone;
    }
    return out;
  }

  const alterSql = (t: string, k: Case) =>
    `ALTER TABLE ${t} ALTER COLUMN c TYPE ${k.to}${k.using ? ` USING ${k.using}` : ''}`;

  it('runs on PostgreSQL ≥ 12, where the UTC rule applies', () => expect(pgVersion).toBeGreaterThanOrEqual(12));

  it('keeps the table of a timestamp ↔ timestamptz change without an index on the column when the session TimeZone is UTC, as utc: unindexed says', async () => {
    for (const [from, to] of [
      ['timestamp', 'timestamptz'],
      ['timestamptz', 'timestamp'],
    ]) {
      expect(analyzeTypeChange(typeOf(from!), typeOf(to!), { pgVersion, utc: 'unindexed' }).cost).toBe('free');
      const t = `utc_${from}`;
      await c.query(
        `SET TimeZone = 'UTC'; CREATE TABLE ${t} (id int PRIMARY KEY, c ${from}); CREATE INDEX ${t}_id ON ${t} (id)`,
      );
      await c.query(
        `INSERT INTO ${t} SELECT g, '2024-01-01'::${from} + g * interval '1 hour' FROM generate_series(1, 100) g`,
      );
      const node = `SELECT relfilenode FROM pg_class WHERE oid = '${t}'::regclass`;
      const before = await cell(node);
      await c.query('BEGIN');
      const scans = `SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = '${t}'::regclass`;
      const scansBefore = await cell(scans);
      await c.query(`ALTER TABLE ${t} ALTER COLUMN c TYPE ${to}`);
      expect([await cell(node), await cell(scans)]).toEqual([before, scansBefore]);
      await c.query('COMMIT');
    }
  });

  CASES.forEach((k, i) => {
    it(caseName(k), async () => {
      const from = typeOf(k.from);
      const to = alterType(k.to, k.using);
      const analysis = analyzeTypeChange(from, to.type, {
        pgVersion,
        enums,
        column: to.column,
        ...(to.using && { using: to.using }),
      });
      expect({ cost: analysis.cost, narrowing: analysis.narrowing, tolerated: analysis.tolerated }).toEqual({
        cost: k.cost,
        narrowing: k.narrowing,
        tolerated: k.tolerated,
      });
      // every claim that values or the old version suffer comes with its proof
      if (k.narrowing) expect(k.loses).toBeDefined();
      if (!k.tolerated && !k.unknown) expect(k.loses ?? k.oldVersion).toBeDefined();

      const t = `t${i}`;
      await c.query(`SET TimeZone = '${k.timeZone ?? 'UTC'}'`);
      await c.query(`CREATE TABLE ${t} (id int, c ${k.from})`);
      await c.query(`INSERT INTO ${t} (id, c) VALUES ${k.values.map((v, n) => `(${n + 1}, ${v})`).join(', ')}`);
      await c.query(`CREATE INDEX ${t}_c ON ${t} ${k.index ?? '(c)'}; CREATE INDEX ${t}_id ON ${t} (id)`);
      const oldBefore = k.oldVersion && (await cell(k.oldVersion.sql.replaceAll('{t}', t)));
      const seen = await oldVersionSees(t, k, 1000);

      const before = await files(t);
      await c.query('BEGIN');
      // the counters of this backend's pending statistics, so compare within one transaction
      const scans = `SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = '${t}'::regclass`;
      const scansBefore = Number(await cell(scans));
      await c.query(alterSql(t, k));
      const scansAfter = Number(await cell(scans));
      await c.query('COMMIT');
      const after = await files(t);

      const observed: TypeChangeCost =
        after.table !== before.table ? 'rewrite' : scansAfter > scansBefore ? 'scan' : 'free';
      expect(observed).toBe(k.observed ?? k.cost);
      // a rewrite renews every index of the table; otherwise only the column's index may be rebuilt
      if (observed === 'rewrite')
        expect([after.column !== before.column, after.other !== before.other]).toEqual([true, true]);
      else expect([after.column !== before.column, after.other !== before.other]).toEqual([observed === 'scan', false]);

      if (k.tolerated) expect(await oldVersionSees(t, k, 2000)).toEqual(seen);
      if (k.oldVersion) {
        expect(oldBefore).toBe(k.oldVersion.before);
        expect(await cell(k.oldVersion.sql.replaceAll('{t}', t))).toBe(k.oldVersion.after);
      }
      if (k.loses) {
        const w = `w${i}`;
        await c.query(`CREATE TABLE ${w} (c ${k.from})`);
        await c.query(`INSERT INTO ${w} (c) VALUES (${k.loses.value})`);
        const failed = await cell(alterSql(w, k));
        const result = failed.startsWith('error: ') ? failed : await cell(`SELECT c FROM ${w}`);
        expect(result).toBe(k.loses.error === undefined ? k.loses.becomes : `error: ${k.loses.error}`);
      }
    });
  });
});

describe('a type change of a serial column on PostgreSQL', () => {
  const cases: Array<{
    column: string;
    to: string;
    cost: TypeChangeCost;
    narrowing: boolean;
    tolerated: boolean;
    loses?: string;
  }> = [
    { column: 'serial', to: 'bigint', cost: 'rewrite', narrowing: false, tolerated: true },
    { column: 'bigserial', to: 'bigint', cost: 'free', narrowing: false, tolerated: true },
    {
      column: 'bigserial',
      to: 'int',
      cost: 'rewrite',
      narrowing: true,
      tolerated: false,
      loses: 'integer out of range',
    },
    { column: 'smallserial', to: 'int', cost: 'rewrite', narrowing: false, tolerated: true },
  ];
  cases.forEach((k, i) => {
    it(`${k.column} → ${k.to}`, async () => {
      // the schema model, as earlier migrations leave it, knows the column by its integer type
      const t = `serial${i}`;
      const schema = schemaFrom(
        parseSource('h.sql', `CREATE TABLE ${t} (id ${k.column})`).statements.flatMap(normalizeStatement),
      );
      const [change] = parseSource('m.sql', `ALTER TABLE ${t} ALTER COLUMN id TYPE ${k.to}`).statements.flatMap(
        normalizeStatement,
      );
      if (change?.kind !== 'alter-column-type') throw new Error('not a type change');
      const { analysis } = analyzeAlter(change, schema, pgVersion)!;
      expect({ cost: analysis.cost, narrowing: analysis.narrowing, tolerated: analysis.tolerated }).toEqual({
        cost: k.cost,
        narrowing: k.narrowing,
        tolerated: k.tolerated,
      });

      await c.query(`CREATE TABLE ${t} (id ${k.column}); INSERT INTO ${t} DEFAULT VALUES`);
      const file = async () =>
        (await c.query(`SELECT relfilenode FROM pg_class WHERE oid = '${t}'::regclass`)).rows[0].relfilenode;
      const before = await file();
      await c.query(`ALTER TABLE ${t} ALTER COLUMN id TYPE ${k.to}`);
      expect((await file()) !== before).toBe(k.cost === 'rewrite');
      if (k.loses) {
        await c.query(`CREATE TABLE ${t}_big (id ${k.column}); INSERT INTO ${t}_big VALUES (1099511627776)`);
        await expect(c.query(`ALTER TABLE ${t}_big ALTER COLUMN id TYPE ${k.to}`)).rejects.toThrow(k.loses);
      }
    });
  });
});
