// An index on a partitioned table builds only on the partitions that lack a matching index: the
// rest are attached. Each case ends with an index on the parent; PostgreSQL says whether it built
// an index on any partition (a new index relation there), and the rule must flag exactly those.
import { describe, expect, it } from 'vitest';
import { lintSql, where } from '../helpers/lint.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const partitioned = [
  'CREATE TABLE events (id bigint NOT NULL, created_at date NOT NULL, kind int, source text) PARTITION BY RANGE (created_at);',
  "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
  "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
  "INSERT INTO events SELECT g, DATE '2024-06-01' + g % 400, g % 7, 'web' FROM generate_series(1, 2000) g;",
].join('\n');

const cases: Array<{ name: string; history?: string; sql: string; builds: boolean }> = [
  {
    name: 'every partition indexed first',
    sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
    builds: false,
  },
  {
    name: 'one partition indexed',
    sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
    builds: true,
  },
  {
    name: 'expression and predicate match',
    history:
      'CREATE INDEX events_2024_src ON events_2024 (lower(source)) WHERE kind > 0;\nCREATE INDEX events_2025_src ON events_2025 (lower(source)) WHERE kind > 0;',
    sql: 'CREATE INDEX events_src ON events (lower(source)) WHERE kind > 0;',
    builds: false,
  },
  {
    name: 'another predicate',
    history:
      'CREATE INDEX events_2024_src ON events_2024 (lower(source)) WHERE kind > 0;\nCREATE INDEX events_2025_src ON events_2025 (lower(source)) WHERE kind > 0;',
    sql: 'CREATE INDEX events_src ON events (lower(source)) WHERE kind > 1;',
    builds: true,
  },
  {
    name: 'primary keys match a unique index',
    history:
      'ALTER TABLE events_2024 ADD PRIMARY KEY (id, created_at);\nALTER TABLE events_2025 ADD PRIMARY KEY (id, created_at);',
    sql: 'CREATE UNIQUE INDEX events_uq ON events (id, created_at);',
    builds: false,
  },
  {
    name: 'primary keys do not match a plain index',
    history:
      'ALTER TABLE events_2024 ADD PRIMARY KEY (id, created_at);\nALTER TABLE events_2025 ADD PRIMARY KEY (id, created_at);',
    sql: 'CREATE INDEX events_idx ON events (id, created_at);',
    builds: true,
  },
  {
    name: 'indexes attached already',
    history:
      'CREATE INDEX events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
    sql: 'CREATE INDEX events_kind_again ON events (kind);',
    builds: true,
  },
];

describe('create-index-non-concurrently on a partitioned table, against PostgreSQL', () => {
  cases.forEach((k, i) => {
    it(k.name, async () => {
      const history = [partitioned, k.history ?? ''].join('\n');
      const statements = k.sql.split('\n');
      const last = statements.length;
      const findings = where(lintSql(k.sql, { history }), 'create-index-non-concurrently');

      await c.query(`CREATE SCHEMA s${i}; SET search_path = s${i}`);
      await c.query(history);
      for (const s of statements.slice(0, -1)) await c.query(s);
      const indexes = `SELECT count(*)::int AS n FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 's${i}' AND t.relname LIKE 'events_20%'`;
      const before = (await c.query(indexes)).rows[0].n;
      await c.query(statements[last - 1]!);
      const after = (await c.query(indexes)).rows[0].n;

      expect(after > before).toBe(k.builds);
      expect(findings).toEqual(k.builds ? [`create-index-non-concurrently@${last}:1`] : []);
    });
  });
});
