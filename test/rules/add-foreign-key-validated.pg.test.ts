// What PostgreSQL does when a foreign key arrives with a new column or on one: which tables it
// locks, and whether it reads their rows (pg_stat_xact_user_tables within the transaction). The
// rules must say the same: add-foreign-key-validated exactly when rows are read, and
// missing-lock-timeout naming every table locked SHARE ROW EXCLUSIVE or stronger.
import { describe, expect, it } from 'vitest';
import { lintSql } from '../helpers/lint.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const history = 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY);';
const rows =
  'INSERT INTO customers SELECT g FROM generate_series(1, 500) g;\nINSERT INTO orders SELECT g FROM generate_series(1, 500) g;';

const cases: Array<{ name: string; sql: string; reads: boolean }> = [
  // every existing row gets NULL: PostgreSQL skips the check, but still locks customers
  {
    name: 'a new column without a default',
    sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id)',
    reads: false,
  },
  {
    name: 'a new column with a default',
    sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 1 REFERENCES customers (id)',
    reads: true,
  },
  {
    name: 'a new column with DEFAULT NULL',
    sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT NULL REFERENCES customers (id)',
    reads: true,
  },
  {
    name: 'a constraint on a new column, in the same statement',
    sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint, ADD FOREIGN KEY (customer_id) REFERENCES customers (id)',
    reads: true,
  },
  {
    name: 'a constraint NOT VALID',
    sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint, ADD FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
    reads: false,
  },
];

describe('foreign keys with new columns, against PostgreSQL', () => {
  cases.forEach((k, i) => {
    it(k.name, async () => {
      await c.query(`CREATE SCHEMA s${i}; SET search_path = s${i}`);
      await c.query(`${history}\n${rows}`);
      await c.query('BEGIN');
      const scans = `SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0)::int AS n FROM pg_stat_xact_user_tables WHERE schemaname = 's${i}' AND relname = 'orders'`;
      const before = (await c.query(scans)).rows[0].n;
      await c.query(k.sql);
      const after = (await c.query(scans)).rows[0].n;
      const locks = await c.query(
        `SELECT t.relname, l.mode FROM pg_locks l JOIN pg_class t ON t.oid = l.relation WHERE l.pid = pg_backend_pid() AND t.relname IN ('orders', 'customers') AND l.mode IN ('AccessExclusiveLock', 'ShareRowExclusiveLock')`,
      );
      await c.query('COMMIT');

      expect(after > before).toBe(k.reads);
      const findings = lintSql(`${k.sql};`, { history }).findings;
      expect(findings.some((f) => f.rule === 'add-foreign-key-validated')).toBe(k.reads);
      const timeout = findings.find((f) => f.rule === 'missing-lock-timeout')!.message;
      // the strongest lock on each table is the one the statement queues for
      const strongest = new Map<string, string>();
      for (const { relname, mode } of locks.rows)
        if (strongest.get(relname) !== 'ACCESS EXCLUSIVE')
          strongest.set(relname, mode === 'AccessExclusiveLock' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE');
      expect(strongest.get('customers')).toBe('SHARE ROW EXCLUSIVE');
      for (const [relname, mode] of strongest) expect(timeout).toContain(`${mode} lock on "${relname}"`);
    });
  });
});
