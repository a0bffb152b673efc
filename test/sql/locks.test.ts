import { describe, expect, it } from 'vitest';
import { locksOf } from '../../src/sql/locks.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { replay, SchemaModel } from '../../src/schema/model.js';
import { lintSql, where } from '../helpers/lint.js';

await loadParser();

function locks(sql: string, history?: string) {
  const schema = new SchemaModel();
  if (history) replay(parseSource('h.sql', history), schema);
  return parseSource('m.sql', sql)
    .statements.flatMap(normalizeStatement)
    .flatMap((c) => locksOf(c, schema));
}

/** Tables p ← c ← d: c.p_id references p, d.c_id references c. */
const KEYS = `CREATE TABLE p (id int PRIMARY KEY, x int);
CREATE TABLE c (id int PRIMARY KEY, p_id int CONSTRAINT c_p REFERENCES p (id), q int);
CREATE TABLE d (id int PRIMARY KEY, c_id int REFERENCES c (id));`;
/** The tables locked ACCESS EXCLUSIVE, by name, in order (a table the schema model names is in schema public). */
const ae = (...names: string[]) =>
  names.map((name) => ({ table: expect.objectContaining({ name }), mode: 'ACCESS EXCLUSIVE' }));

describe('locksOf', () => {
  // PostgreSQL 15 pg_locks: both take AccessExclusiveLock on the table
  it('locks the table of a new policy or rule ACCESS EXCLUSIVE, of a new trigger SHARE ROW EXCLUSIVE', () => {
    expect(locks('CREATE POLICY owner_only ON docs USING (owner = current_user)')).toEqual([
      { table: { name: 'docs' }, mode: 'ACCESS EXCLUSIVE' },
    ]);
    expect(locks('CREATE RULE r AS ON INSERT TO app.docs DO INSTEAD NOTHING')).toEqual([
      { table: { schema: 'app', name: 'docs' }, mode: 'ACCESS EXCLUSIVE' },
    ]);
    expect(locks('CREATE TRIGGER t BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION f()')).toEqual([
      { table: { name: 'docs' }, mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(locks('CREATE VIEW v AS SELECT * FROM docs')).toEqual([]);
  });

  // PostgreSQL 15 pg_locks: AccessExclusiveLock on the parent
  it('locks the parent of a new partition ACCESS EXCLUSIVE, and the tables its foreign keys reference', () => {
    expect(
      locks(
        "CREATE TABLE m_2025 PARTITION OF app.m (CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)) FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
      ),
    ).toEqual([
      { table: { schema: 'app', name: 'm' }, mode: 'ACCESS EXCLUSIVE' },
      { table: { name: 'users' }, mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(locks('CREATE TABLE child (x int) INHERITS (parent)')).toEqual([]);
  });

  // PostgreSQL 15 pg_locks, each statement in a transaction of its own (AccessExclusiveLock on every table named)
  it('locks the table at the other end of a foreign key whose triggers a change drops or rebuilds', () => {
    expect(locks('ALTER TABLE c DROP CONSTRAINT c_p', KEYS)).toEqual(ae('c', 'p'));
    expect(locks('ALTER TABLE c DROP COLUMN p_id', KEYS)).toEqual(ae('c', 'p'));
    expect(locks('ALTER TABLE c DROP COLUMN q', KEYS)).toEqual(ae('c'));
    expect(locks('ALTER TABLE c ALTER COLUMN p_id TYPE bigint', KEYS)).toEqual(ae('c', 'p'));
    expect(locks('ALTER TABLE p ALTER COLUMN id TYPE bigint', KEYS)).toEqual(ae('p', 'c'));
    expect(locks('ALTER TABLE p ALTER COLUMN x TYPE bigint', KEYS)).toEqual(ae('p'));
    expect(locks('DROP TABLE d', KEYS)).toEqual(ae('d', 'c'));
    expect(locks('DROP TABLE c CASCADE', KEYS)).toEqual(ae('c', 'p', 'd'));
    expect(locks('ALTER TABLE p DROP COLUMN id CASCADE', KEYS)).toEqual(ae('p', 'c'));
    // without the schema, only the table named
    expect(locks('ALTER TABLE c DROP CONSTRAINT c_p')).toEqual(ae('c'));
  });

  // pg_locks on PostgreSQL 11 and 12 (test/rules/table-changes.pg.test.ts runs on the server's major)
  it('locks the parent of an attached partition ACCESS EXCLUSIVE before PostgreSQL 12, SHARE UPDATE EXCLUSIVE since', () => {
    const attach = parseSource(
      'm.sql',
      'ALTER TABLE m ATTACH PARTITION m_1 FOR VALUES FROM (1) TO (2)',
    ).statements.flatMap(normalizeStatement)[0]!;
    expect(locksOf(attach, undefined, 11).map((l) => [l.table.name, l.mode])).toEqual([
      ['m', 'ACCESS EXCLUSIVE'],
      ['m_1', 'ACCESS EXCLUSIVE'],
    ]);
    expect(locksOf(attach, undefined, 12).map((l) => [l.table.name, l.mode])).toEqual([
      ['m', 'SHARE UPDATE EXCLUSIVE'],
      ['m_1', 'ACCESS EXCLUSIVE'],
    ]);
  });

  it('makes missing-lock-timeout flag a foreign key dropped with a lock_timeout-less statement on the referenced table too', () => {
    const r = lintSql('SET lock_timeout = 0;\nALTER TABLE c DROP CONSTRAINT c_p;', { history: KEYS });
    expect(where(r, 'missing-lock-timeout')).toEqual(['missing-lock-timeout@2:1']);
    expect(r.findings.find((f) => f.rule === 'missing-lock-timeout')!.message).toContain('"p"');
  });

  it('makes missing-lock-timeout flag CREATE POLICY and CREATE RULE unless a lock_timeout is set', () => {
    const sql =
      'CREATE POLICY owner_only ON docs USING (true);\nCREATE RULE r AS ON INSERT TO docs DO INSTEAD NOTHING;';
    expect(where(lintSql(sql), 'missing-lock-timeout')).toEqual([
      'missing-lock-timeout@1:1',
      'missing-lock-timeout@2:1',
    ]);
    expect(where(lintSql(`SET lock_timeout = '2s';\n${sql}`), 'missing-lock-timeout')).toEqual([]);
  });
});
