import { ruleCases } from '../helpers/lint.js';

const partitioned = [
  'CREATE TABLE events (id bigint NOT NULL, created_at date NOT NULL, kind int, source text) PARTITION BY RANGE (created_at);',
  "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
  "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
].join('\n');

await ruleCases('create-index-non-concurrently', {
  valid: [
    // an existing materialized view: nothing writes to it, and its readers do not wait for the SHARE lock
    {
      history: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day;',
      sql: 'CREATE INDEX daily_totals_day ON daily_totals (day);',
    },
    // a materialized view of an earlier migration, dropped and created again here: reads do not wait for the SHARE lock, and nothing writes to it
    {
      history:
        'CREATE TABLE messages (id bigint PRIMARY KEY, body text);\nCREATE MATERIALIZED VIEW message_stats AS SELECT count(*) AS n FROM messages;',
      sql: 'DROP MATERIALIZED VIEW message_stats;\nCREATE MATERIALIZED VIEW message_stats AS SELECT id, length(body) AS n FROM messages;\nCREATE UNIQUE INDEX message_stats_id ON message_stats (id);',
    },
    // every partition already has a matching index (built CONCURRENTLY): the parent's index only attaches them
    {
      history: partitioned,
      sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
    },
    {
      history: `${partitioned}\nCREATE INDEX events_2024_lower_idx ON events_2024 (lower(source)) WHERE kind > 0;\nCREATE INDEX events_2025_lower_idx ON events_2025 (lower(source)) WHERE kind > 0;`,
      sql: 'CREATE INDEX events_lower_idx ON events (lower(source)) WHERE kind > 0;',
    },
    // the partitions' primary key indexes match a unique index on the same columns
    {
      history: `${partitioned}\nALTER TABLE events_2024 ADD PRIMARY KEY (id, created_at);\nALTER TABLE events_2025 ADD PRIMARY KEY (id, created_at);`,
      sql: 'CREATE UNIQUE INDEX events_id_idx ON events (id, created_at);',
    },
    // ON ONLY, partitions indexed CONCURRENTLY, then attached
    {
      history: partitioned,
      sql: 'CREATE INDEX events_kind_idx ON ONLY events (kind);\nCREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nALTER INDEX events_kind_idx ATTACH PARTITION events_2024_kind_idx;\nALTER INDEX events_kind_idx ATTACH PARTITION events_2025_kind_idx;',
    },
    // a materialized view created earlier in this migration has no readers yet
    {
      sql: 'CREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS day, 2 AS total;\nCREATE UNIQUE INDEX ON daily_totals (day);\nCREATE INDEX daily_totals_total ON public.daily_totals (total);',
    },
    {
      sql: 'CREATE MATERIALIZED VIEW IF NOT EXISTS app.totals AS SELECT 1 AS day WITH NO DATA;\nCREATE INDEX totals_day ON app.totals (day);',
    },
    { sql: 'CREATE INDEX CONCURRENTLY users_email ON users (email);' },
    // the transaction added a NOT NULL column without a default first: it fails on a table with rows, so the
    // index is built on an empty table, under the lock the ADD COLUMN holds already
    {
      history: 'CREATE TABLE tasks (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE tasks ADD COLUMN target_at timestamptz NOT NULL;\nCREATE INDEX tasks_target_at ON tasks (target_at);',
      transaction: 'per-file',
    },
    { sql: 'CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id);' },
    // ON ONLY a partitioned table builds nothing, and CONCURRENTLY is refused there
    {
      history: 'CREATE TABLE measurements (id bigint, taken date NOT NULL) PARTITION BY RANGE (taken);',
      sql: 'CREATE INDEX measurements_taken_idx ON ONLY measurements (taken);',
    },
  ],
  invalid: [
    // statements that autocommit: rows may come between the ADD COLUMN and the index
    {
      history: 'CREATE TABLE tasks (id bigint PRIMARY KEY);',
      sql: 'ALTER TABLE tasks ADD COLUMN target_at timestamptz NOT NULL;\nCREATE INDEX tasks_target_at ON tasks (target_at);',
      at: ['2:1'],
    },
    // one partition without the index: PostgreSQL builds it under a SHARE lock, and not CONCURRENTLY on the parent
    {
      history: partitioned,
      sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
      at: ['2:1'],
      message: 'on the partitioned table "events"',
    },
    // an index of another definition (other column, unique, other predicate) is not attached
    {
      history: partitioned,
      sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_id_idx ON events (kind, id);\nCREATE INDEX events_kind_part_idx ON events (kind) WHERE kind > 0;',
      at: ['3:1', '4:1'],
    },
    // a unique index of a partition does not match a plain one
    {
      history: `${partitioned}\nALTER TABLE events_2024 ADD PRIMARY KEY (id, created_at);\nALTER TABLE events_2025 ADD PRIMARY KEY (id, created_at);`,
      sql: 'CREATE INDEX events_id_idx ON events (id, created_at);',
      at: ['1:1'],
    },
    // the partitions' indexes are attached to the parent's first index already: the second one builds new ones
    {
      history: partitioned,
      sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_idx ON events (kind);\nCREATE INDEX events_kind_again_idx ON events (kind);',
      at: ['4:1'],
    },
    // a partition attached later is part of the parent too
    {
      history: `${partitioned}\nCREATE TABLE events_2026 (id bigint NOT NULL, created_at date NOT NULL, kind int, source text);\nALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');`,
      sql: 'CREATE INDEX CONCURRENTLY events_2024_kind_idx ON events_2024 (kind);\nCREATE INDEX CONCURRENTLY events_2025_kind_idx ON events_2025 (kind);\nCREATE INDEX events_kind_idx ON events (kind);',
      at: ['3:1'],
    },
    // a function or trigger of the same name is not the table
    {
      sql: 'CREATE FUNCTION users() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE INDEX users_email ON users (email);',
      at: ['2:1'],
    },
    { sql: 'CREATE INDEX users_email ON users (email);', at: ['1:1'], message: 'index "users_email" on "users"' },
    {
      sql: 'CREATE TABLE a (x int);\n\n  CREATE UNIQUE INDEX ON app.users (lower(email));',
      at: ['3:3'],
      message: '"app"."users"',
    },
  ],
});
