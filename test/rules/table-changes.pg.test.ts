// What PostgreSQL does for the changes the newer table rules flag: the lock each takes on
// which table (pg_locks within the transaction), and the effect the rule's message names —
// a scan, rebuilt indexes, rows hidden, a check skipped, writes refused. Each rule must flag
// exactly the cases where the effect is observed, and locksOf must name the lock taken.
import { describe, expect, it } from 'vitest';
import { lintSql } from '../helpers/lint.js';
import { testDatabase } from '../helpers/db.js';
import { locksOf } from '../../src/sql/locks.js';
import { normalizeStatement } from '../../src/sql/normalize.js';
import { parseSource } from '../../src/sql/source.js';
import type pg from 'pg';

const db = await testDatabase();
const c = await db.client();

const PG_MODES: Record<string, string> = {
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
};
const STRENGTH = ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE'];

/** The strongest lock the transaction holds on each of `tables`, by name. */
async function strongestLocks(client: pg.Client, tables: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query(
    'SELECT t.relname, l.mode FROM pg_locks l JOIN pg_class t ON t.oid = l.relation WHERE l.pid = pg_backend_pid() AND t.relname = ANY($1)',
    [tables],
  );
  const out = new Map<string, string>();
  for (const { relname, mode } of rows) {
    const m = PG_MODES[mode];
    if (m && STRENGTH.indexOf(m) > STRENGTH.indexOf(out.get(relname) ?? '')) out.set(relname, m);
  }
  return out;
}

/** The locks pgphase says the statement takes, by table name. */
function expectedLocks(sql: string): Map<string, string> {
  const changes = parseSource('s.sql', `${sql};`).statements.flatMap(normalizeStatement);
  return new Map(changes.flatMap((ch) => locksOf(ch, undefined, db.major)).map((l) => [l.table.name, l.mode]));
}

interface Case {
  name: string;
  rule: string;
  setup: string;
  sql: string;
  tables: string[];
  /** Runs in the transaction after the statement: whether the effect the rule is about happened. */
  effect(client: pg.Client, before: unknown): Promise<boolean>;
  /** Runs in the transaction before the statement. */
  before?(client: pg.Client): Promise<unknown>;
}

const scans = (table: string) => async (client: pg.Client) =>
  (
    await client.query(
      `SELECT coalesce(sum(seq_scan), 0)::int AS n FROM pg_stat_xact_user_tables WHERE relname = $1 AND schemaname = current_schema()`,
      [table],
    )
  ).rows[0].n as number;
const fileOf = (relation: string) => async (client: pg.Client) =>
  (await client.query('SELECT pg_relation_filenode($1::regclass)::text AS f', [relation])).rows[0].f as string;
const fails = async (client: pg.Client, sql: string) => {
  await client.query('SAVEPOINT probe');
  try {
    await client.query(sql);
    await client.query('RELEASE SAVEPOINT probe');
    return false;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT probe');
    return true;
  }
};

const partitioned =
  "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 (at date NOT NULL);\nINSERT INTO events_2024 SELECT date '2024-01-01' + g FROM generate_series(0, 99) g;";
const attach = "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')";
const published =
  'CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, note text);\nINSERT INTO orders VALUES (1, NULL);\nCREATE PUBLICATION pub_{s} FOR TABLE orders;';
const role = `rls_reader_${process.pid}`;
const refuse = "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;";

const cases: Case[] = [
  {
    name: 'ATTACH PARTITION without a CHECK scans the partition',
    rule: 'attach-partition-without-check',
    setup: partitioned,
    sql: attach,
    tables: ['events', 'events_2024'],
    before: scans('events_2024'),
    effect: async (cl, n) => (await scans('events_2024')(cl)) > (n as number),
  },
  {
    name: 'ATTACH PARTITION with a validated CHECK matching the bounds does not',
    rule: 'attach-partition-without-check',
    setup: `${partitioned}\nALTER TABLE events_2024 ADD CONSTRAINT b CHECK (at IS NOT NULL AND at >= '2024-01-01' AND at < '2025-01-01');`,
    sql: attach,
    tables: ['events', 'events_2024'],
    before: scans('events_2024'),
    effect: async (cl, n) => (await scans('events_2024')(cl)) > (n as number),
  },
  {
    name: 'ATTACH PARTITION with a validated CHECK on another column scans the partition',
    rule: 'attach-partition-without-check',
    setup: `${partitioned.replaceAll('(at date NOT NULL)', '(at date NOT NULL, n int)')}\nALTER TABLE events_2024 ADD CONSTRAINT positive CHECK (n IS NULL OR n > 0);`,
    sql: attach,
    tables: ['events', 'events_2024'],
    before: scans('events_2024'),
    effect: async (cl, n) => (await scans('events_2024')(cl)) > (n as number),
  },
  {
    name: 'a collation change rebuilds the index on the column',
    rule: 'change-collation',
    setup: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);',
    sql: 'ALTER TABLE users ALTER COLUMN email TYPE text COLLATE "C"',
    tables: ['users'],
    before: fileOf('users_email'),
    effect: async (cl, f) => (await fileOf('users_email')(cl)) !== f,
  },
  {
    name: 'ENABLE ROW LEVEL SECURITY without a policy hides every row from other roles',
    rule: 'enable-rls-without-policy',
    setup: `CREATE TABLE documents (id bigint);\nINSERT INTO documents VALUES (1);\nCREATE ROLE ${role};\nGRANT USAGE ON SCHEMA {s} TO ${role};\nGRANT SELECT ON documents TO ${role};`,
    sql: 'ALTER TABLE documents ENABLE ROW LEVEL SECURITY',
    tables: ['documents'],
    effect: async (cl) => {
      await cl.query(`SET LOCAL ROLE ${role}`);
      const n = (await cl.query('SELECT count(*)::int AS n FROM documents')).rows[0].n;
      await cl.query('RESET ROLE');
      return n === 0;
    },
  },
  {
    name: 'DISABLE TRIGGER ALL lets rows that break a foreign key in',
    rule: 'disable-trigger',
    setup: 'CREATE TABLE parents (id int PRIMARY KEY);\nCREATE TABLE children (parent_id int REFERENCES parents);',
    sql: 'ALTER TABLE children DISABLE TRIGGER ALL',
    tables: ['children'],
    effect: async (cl) => !(await fails(cl, 'INSERT INTO children VALUES (42)')),
  },
  {
    name: "DISABLE TRIGGER USER skips the application's triggers",
    rule: 'disable-trigger',
    setup: `${refuse}\nCREATE TABLE children (id int);\nCREATE TRIGGER children_refuse BEFORE INSERT ON children FOR EACH ROW EXECUTE PROCEDURE refuse();`,
    sql: 'ALTER TABLE children DISABLE TRIGGER USER',
    tables: ['children'],
    effect: async (cl) => !(await fails(cl, 'INSERT INTO children VALUES (42)')),
  },
  {
    name: 'DISABLE TRIGGER of one trigger by name is not flagged',
    rule: 'disable-trigger',
    setup: `${refuse}\nCREATE TABLE children (id int);\nCREATE TRIGGER children_refuse BEFORE INSERT ON children FOR EACH ROW EXECUTE PROCEDURE refuse();\nCREATE TRIGGER children_refuse2 BEFORE INSERT ON children FOR EACH ROW EXECUTE PROCEDURE refuse();`,
    sql: 'ALTER TABLE children DISABLE TRIGGER children_refuse',
    tables: ['children'],
    effect: async (cl) => !(await fails(cl, 'INSERT INTO children VALUES (42)')),
  },
  {
    name: 'REPLICA IDENTITY NOTHING on a published table makes UPDATE fail',
    rule: 'replica-identity',
    setup: published,
    sql: 'ALTER TABLE orders REPLICA IDENTITY NOTHING',
    tables: ['orders'],
    effect: (cl) => fails(cl, "UPDATE orders SET note = 'x'"),
  },
  {
    name: 'dropping the primary key of a published table makes DELETE fail',
    rule: 'drop-published-primary-key',
    setup: published,
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey',
    tables: ['orders'],
    effect: (cl) => fails(cl, 'DELETE FROM orders'),
  },
  {
    name: 'dropping the primary key of an unpublished table does not',
    rule: 'drop-published-primary-key',
    setup: 'CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY);',
    sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey',
    tables: ['orders'],
    effect: (cl) => fails(cl, 'DELETE FROM orders'),
  },
  {
    name: 'CREATE TRIGGER fires on the next write',
    rule: 'create-trigger',
    setup: `CREATE TABLE users (id int, note text);\n${refuse}`,
    sql: 'CREATE TRIGGER users_refuse BEFORE INSERT ON users FOR EACH ROW EXECUTE PROCEDURE refuse()',
    tables: ['users'],
    effect: (cl) => fails(cl, 'INSERT INTO users VALUES (1)'),
  },
];

describe('the newer table rules, against PostgreSQL', () => {
  cases.forEach((k, i) => {
    // one schema per case, s<i>, which the setup names as {s}
    const setup = k.setup.replaceAll('{s}', `s${i}`);
    it(k.name, async () => {
      await c.query(`CREATE SCHEMA s${i}; SET search_path = s${i}`);
      await c.query(setup);
      await c.query('BEGIN');
      let locks: Map<string, string>;
      let effect: boolean;
      try {
        const before = await k.before?.(c);
        await c.query(k.sql);
        locks = await strongestLocks(c, k.tables);
        effect = await k.effect(c, before);
      } finally {
        await c.query('ROLLBACK');
      }
      if (setup.includes('CREATE ROLE')) await c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);

      const expected = expectedLocks(k.sql);
      // before PostgreSQL 12, ATTACH PARTITION locks the parent ACCESS EXCLUSIVE too (locks.ts models 12 and later)
      if (db.major < 12 && k.sql.includes('ATTACH PARTITION')) expected.set('events', 'ACCESS EXCLUSIVE');
      expect(locks).toEqual(expected);
      const findings = lintSql(`${k.sql};`, { history: setup }).findings;
      expect(findings.some((f) => f.rule === k.rule)).toBe(effect);
    });
  });
});
