import { describe, expect, it } from 'vitest';
import { locksOf } from '../../src/sql/locks.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { lintSql, where } from '../helpers/lint.js';

await loadParser();

function locks(sql: string) {
  return parseSource('m.sql', sql).statements.flatMap(normalizeStatement).flatMap((c) => locksOf(c));
}

describe('locksOf', () => {
  // PostgreSQL 15 pg_locks: both take AccessExclusiveLock on the table
  it('locks the table of a new policy or rule ACCESS EXCLUSIVE, of a new trigger SHARE ROW EXCLUSIVE', () => {
    expect(locks('CREATE POLICY owner_only ON docs USING (owner = current_user)')).toEqual([{ table: { name: 'docs' }, mode: 'ACCESS EXCLUSIVE' }]);
    expect(locks('CREATE RULE r AS ON INSERT TO app.docs DO INSTEAD NOTHING')).toEqual([{ table: { schema: 'app', name: 'docs' }, mode: 'ACCESS EXCLUSIVE' }]);
    expect(locks('CREATE TRIGGER t BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION f()')).toEqual([{ table: { name: 'docs' }, mode: 'SHARE ROW EXCLUSIVE' }]);
    expect(locks('CREATE VIEW v AS SELECT * FROM docs')).toEqual([]);
  });

  // PostgreSQL 15 pg_locks: AccessExclusiveLock on the parent
  it('locks the parent of a new partition ACCESS EXCLUSIVE, and the tables its foreign keys reference', () => {
    expect(locks("CREATE TABLE m_2025 PARTITION OF app.m (CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)) FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")).toEqual([
      { table: { schema: 'app', name: 'm' }, mode: 'ACCESS EXCLUSIVE' },
      { table: { name: 'users' }, mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(locks('CREATE TABLE child (x int) INHERITS (parent)')).toEqual([]);
  });

  it('makes missing-lock-timeout flag CREATE POLICY and CREATE RULE unless a lock_timeout is set', () => {
    const sql = 'CREATE POLICY owner_only ON docs USING (true);\nCREATE RULE r AS ON INSERT TO docs DO INSTEAD NOTHING;';
    expect(where(lintSql(sql), 'missing-lock-timeout')).toEqual(['missing-lock-timeout@1:1', 'missing-lock-timeout@2:1']);
    expect(where(lintSql(`SET lock_timeout = '2s';\n${sql}`), 'missing-lock-timeout')).toEqual([]);
  });
});
