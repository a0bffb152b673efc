import { describe, expect, it } from 'vitest';
import { clipBytes, defaultName, indexColumnNames } from '../../src/sql/names.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();
await loadParser();

describe('clipBytes', () => {
  it('cuts between characters, never inside one or inside a surrogate pair', () => {
    expect(clipBytes('abc', 3)).toBe('abc');
    expect(clipBytes('aé', 2)).toBe('a');
    expect(clipBytes('🎉🎉', 7)).toBe('🎉');
    expect(clipBytes('🎉', 3)).toBe('');
  });

  it('is linear in the length of the name', () => {
    expect(clipBytes('🎉'.repeat(1_000_000), 63)).toBe('🎉'.repeat(15));
  });
});

describe('defaultName', () => {
  // names as PostgreSQL 15 chose them for the same statements
  it('shortens a multibyte table name by whole characters', () => {
    expect(defaultName('🎉'.repeat(15), ['a'], 'check')).toBe(`${'🎉'.repeat(13)}_a_check`);
  });

  it('uses the first column names only, however many columns there are', () => {
    const columns = Array.from({ length: 100_000 }, (_, i) => `column_number_${i}`);
    expect(defaultName('tab', columns, 'idx')).toBe('tab_column_number_0_column_number_1_column_number_2_column__idx');
    expect(defaultName('tab', columns.slice(0, 30), 'key')).toBe(
      'tab_column_number_0_column_number_1_column_number_2_column__key',
    );
  });
});

describe('default names compared with the names PostgreSQL chooses', () => {
  /** The constraint and index names `statement` makes on a fresh `setup`. */
  // PostgreSQL 18 also names a NOT NULL constraint (contype 'n'), which the default names here are not about
  async function made(setup: string, statement: string): Promise<string[]> {
    const names = async () =>
      (
        await c.query<{ n: string }>(
          `SELECT conname AS n FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' UNION SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'i'`,
        )
      ).rows.map((r) => r.n);
    await resetSchema(c);
    await runScript(c, setup);
    const before = await names();
    await runScript(c, statement);
    return (await names()).filter((n) => !before.includes(n));
  }

  /** defaultName for an unnamed CREATE INDEX, its column part chosen from the parse tree. */
  function indexName(statement: string): string {
    const index = parseSource('index.sql', statement).statements[0]!.node.IndexStmt;
    return defaultName(
      index.relation.relname,
      indexColumnNames([...index.indexParams, ...(index.indexIncludingParams ?? [])]),
      'idx',
    );
  }

  const t30 = 't'.repeat(30);
  const c30 = 'c'.repeat(30);
  // 63 bytes each, of 2-byte and of 3-byte characters
  const T = `${'ü'.repeat(31)}t`;
  const C = `${'é'.repeat(31)}c`;
  const E = '€'.repeat(21);

  it.each([
    [
      'equal parts: unique',
      `CREATE TABLE ${t30} (${c30} int)`,
      `ALTER TABLE ${t30} ADD UNIQUE (${c30})`,
      defaultName(t30, [c30], 'key'),
    ],
    [
      'equal parts over an odd number of bytes: the column part is shortened first',
      `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE ${t30} (${c30} int)`,
      `ALTER TABLE ${t30} ADD FOREIGN KEY (${c30}) REFERENCES p`,
      defaultName(t30, [c30], 'fkey'),
    ],
    [
      'equal parts: check on one column',
      `CREATE TABLE ${t30} (${c30} int)`,
      `ALTER TABLE ${t30} ADD CHECK (${c30} > 0)`,
      defaultName(t30, [c30], 'check'),
    ],
    [
      '63-byte multibyte names: check',
      `CREATE TABLE "${T}" ("${C}" int)`,
      `ALTER TABLE "${T}" ADD CHECK ("${C}" > 0)`,
      defaultName(T, [C], 'check'),
    ],
    [
      '63-byte multibyte names: foreign key',
      `CREATE TABLE "${T}" (id int PRIMARY KEY, "${C}" int)`,
      `ALTER TABLE "${T}" ADD FOREIGN KEY ("${C}") REFERENCES "${T}"`,
      defaultName(T, [C], 'fkey'),
    ],
    [
      '63-byte multibyte names: unique over two columns',
      `CREATE TABLE "${T}" ("${C}" int, k int)`,
      `ALTER TABLE "${T}" ADD UNIQUE ("${C}", k)`,
      defaultName(T, [C, 'k'], 'key'),
    ],
    [
      '63-byte multibyte names: primary key',
      `CREATE TABLE "${T}" ("${C}" int)`,
      `ALTER TABLE "${T}" ADD PRIMARY KEY ("${C}")`,
      defaultName(T, [], 'pkey'),
    ],
    [
      '63-byte names of 3-byte characters: index',
      `CREATE TABLE "${E}" ("${E}" int)`,
      `CREATE INDEX ON "${E}" ("${E}")`,
      indexName(`CREATE INDEX ON "${E}" ("${E}")`),
    ],
    [
      'a check on two columns',
      'CREATE TABLE t (a int, b int)',
      'ALTER TABLE t ADD CHECK (a < b)',
      defaultName('t', [], 'check'),
    ],
    [
      'a unique key with INCLUDE',
      'CREATE TABLE t (a int, b int)',
      'ALTER TABLE t ADD UNIQUE (a) INCLUDE (b)',
      defaultName('t', ['a', 'b'], 'key'),
    ],
  ])('%s', async (_, setup, statement, name) => {
    expect(await made(setup, statement)).toEqual([name]);
  });

  const events = 'CREATE TABLE "Events" (id int, "Email" text, payload jsonb, a text, b text)';
  it.each([
    ['CREATE INDEX ON "Events" (lower("Email"))', 'Events_lower_idx'],
    ['CREATE INDEX ON "Events" ((payload ->> \'a\'))', 'Events_expr_idx'],
    ['CREATE INDEX ON "Events" (("Email"::varchar), (id::text), ((a || b)::varchar))', 'Events_Email_id_varchar_idx'],
    [
      'CREATE INDEX ON "Events" (coalesce(a, b), (CASE WHEN a > b THEN a END), (greatest(a, b)), (nullif(a, b)))',
      'Events_coalesce_case_greatest_nullif_idx',
    ],
    ['CREATE INDEX ON "Events" (lower(a), lower(b), a, a)', 'Events_lower_lower1_a_a1_idx'],
    ['CREATE INDEX ON "Events" (id) INCLUDE ("Email")', 'Events_id_Email_idx'],
    ['CREATE UNIQUE INDEX ON "Events" (upper(a) COLLATE "C")', 'Events_upper_idx'],
  ])('an unnamed index: %s', async (statement, name) => {
    expect(indexName(statement)).toBe(name);
    expect(await made(events, statement)).toEqual([name]);
  });
});
