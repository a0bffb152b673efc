// `lint --fix` end to end, per layout: the fixes are written, linting the fixed file again finds
// none of the fixed rules, and the fixed file runs on PostgreSQL the way its tool runs it (in a
// transaction of its own, as one query string, or statement by statement) with the effect intended.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { fix, lint, type LayoutName } from '../../src/index.js';
import type { TransactionModel } from '../../src/lint/rule.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const TABLES =
  'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, code text);\n';
const ROWS =
  "INSERT INTO users SELECT g FROM generate_series(1, 50) g;\nINSERT INTO orders SELECT g, g, 'c' || g FROM generate_series(1, 50) g;";

/** Runs a migration's forward text as its tool does under the model. */
async function runAs(client: pg.Client, text: string, model: TransactionModel): Promise<void> {
  if (model === 'none') return runScript(client, text);
  if (model === 'implicit') {
    await client.query(text);
    return;
  }
  await client.query('BEGIN');
  try {
    await client.query(text);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

interface Case {
  name: string;
  layout: LayoutName;
  /** The history (applied before) and the migration to fix, by path in the temporary directory. */
  files: Record<string, string>;
  target: string;
  fixed: string[];
  /** Rules left with a reason, and a fragment of it. */
  unfixed?: Record<string, string>;
  /** What the fixed text must hold. */
  contains: string[];
  /** After running, what the catalog must show. */
  check: string;
}

const indexValid =
  "SELECT count(*) = 1 AS ok FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'orders_user' AND i.indisvalid";

const cases: Case[] = [
  {
    name: 'plain (statement by statement): CONCURRENTLY, NOT VALID + VALIDATE, USING INDEX, lock_timeout',
    layout: 'plain',
    files: {
      '001_tables.sql': TABLES,
      '002_change.sql':
        'CREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders ADD CONSTRAINT orders_code UNIQUE (code);\n',
    },
    target: '002_change.sql',
    fixed: [
      'missing-lock-timeout',
      'create-index-non-concurrently',
      'add-foreign-key-validated',
      'add-constraint-builds-index',
    ],
    contains: [
      "SET lock_timeout = '2s';",
      'CREATE INDEX CONCURRENTLY orders_user',
      'REFERENCES users (id) NOT VALID;\nALTER TABLE "orders" VALIDATE CONSTRAINT "orders_user_fk";',
      'ADD CONSTRAINT "orders_code" UNIQUE USING INDEX "orders_code"',
    ],
    check: `SELECT (${indexValid}) AND (SELECT convalidated FROM pg_constraint WHERE conname = 'orders_user_fk') AND (SELECT contype = 'u' FROM pg_constraint WHERE conname = 'orders_code') AS ok`,
  },
  {
    name: 'plain: VALIDATE goes after the COMMIT of an explicit transaction',
    layout: 'plain',
    files: {
      '001_tables.sql': TABLES,
      '002_fk.sql':
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nCOMMIT;\n",
    },
    target: '002_fk.sql',
    fixed: ['add-foreign-key-validated'],
    contains: ['NOT VALID;\nCOMMIT;\nALTER TABLE "orders" VALIDATE CONSTRAINT "orders_user_fk";'],
    check: "SELECT convalidated AS ok FROM pg_constraint WHERE conname = 'orders_user_fk'",
  },
  {
    name: 'goose (a transaction per file): NO TRANSACTION, then CONCURRENTLY',
    layout: 'goose',
    files: {
      '00001_tables.sql': `-- +goose Up\n${TABLES}`,
      '00002_index.sql':
        "-- +goose Up\nSET lock_timeout = '2s';\nCREATE INDEX orders_user ON orders (user_id);\n\n-- +goose Down\nDROP INDEX orders_user;\n",
    },
    target: '00002_index.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['-- +goose NO TRANSACTION\n-- +goose Up\n', 'CREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'goose: NO TRANSACTION for a CONCURRENTLY already written',
    layout: 'goose',
    files: {
      '00001_tables.sql': `-- +goose Up\n${TABLES}`,
      '00002_index.sql': '-- +goose Up\nCREATE INDEX CONCURRENTLY orders_user ON orders (user_id);\n',
    },
    target: '00002_index.sql',
    fixed: ['concurrently-in-transaction'],
    contains: ['-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'dbmate, one statement: transaction:false, then CONCURRENTLY',
    layout: 'dbmate',
    files: {
      '20240101000000_tables.sql': `-- migrate:up\n${TABLES}\n-- migrate:down\n`,
      '20240102000000_index.sql':
        '-- migrate:up\nCREATE INDEX orders_user ON orders (user_id);\n\n-- migrate:down\nDROP INDEX orders_user;\n',
    },
    target: '20240102000000_index.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'dbmate, several statements: no CONCURRENTLY (one query string), lock_timeout only',
    layout: 'dbmate',
    files: {
      '20240101000000_tables.sql': `-- migrate:up\n${TABLES}\n-- migrate:down\n`,
      '20240102000000_index.sql':
        '-- migrate:up\nCREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders ADD COLUMN note text;\n\n-- migrate:down\n',
    },
    target: '20240102000000_index.sql',
    fixed: ['missing-lock-timeout'],
    unfixed: { 'create-index-non-concurrently': 'move the statement to a migration of its own' },
    contains: ["-- migrate:up\nSET lock_timeout = '2s';\nCREATE INDEX orders_user"],
    check: "SELECT count(*) = 1 AS ok FROM pg_attribute WHERE attname = 'note'",
  },
  {
    name: 'Flyway, one statement: CONCURRENTLY, which Flyway runs outside a transaction by itself',
    layout: 'flyway',
    files: { 'V1__tables.sql': TABLES, 'V2__index.sql': 'CREATE INDEX orders_user ON orders (user_id);\n' },
    target: 'V2__index.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['CREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'golang-migrate, several statements (one query string): lock_timeout, and no CONCURRENTLY, with the reason',
    layout: 'golang-migrate',
    files: {
      '1_tables.up.sql': TABLES,
      '2_index.up.sql': 'CREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders ADD COLUMN note text;\n',
    },
    target: '2_index.up.sql',
    fixed: ['missing-lock-timeout'],
    unfixed: { 'create-index-non-concurrently': 'golang-migrate sends the file as one query string' },
    contains: ["SET lock_timeout = '2s';\nCREATE INDEX orders_user"],
    check: indexValid,
  },
  {
    name: 'golang-migrate, one statement (no transaction block): CONCURRENTLY',
    layout: 'golang-migrate',
    files: { '1_tables.up.sql': TABLES, '2_index.up.sql': 'CREATE INDEX orders_user ON orders (user_id);\n' },
    target: '2_index.up.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['CREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'sqlx, one statement: -- no-transaction as the first line, then CONCURRENTLY',
    layout: 'sqlx',
    files: {
      '20240101000000_tables.sql': TABLES,
      '20240102000000_index.sql': 'CREATE INDEX orders_user ON orders (user_id);\n',
    },
    target: '20240102000000_index.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['-- no-transaction\nCREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'sqlx, several statements: lock_timeout, and no CONCURRENTLY (a -- no-transaction file is one query string), with the reason',
    layout: 'sqlx',
    files: {
      '20240101000000_tables.sql': TABLES,
      '20240102000000_index.sql':
        'CREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders ADD COLUMN note text;\n',
    },
    target: '20240102000000_index.sql',
    fixed: ['missing-lock-timeout'],
    unfixed: { 'create-index-non-concurrently': 'sqlx sends a migration that begins with `-- no-transaction`' },
    contains: ["SET lock_timeout = '2s';\nCREATE INDEX orders_user"],
    check: "SELECT count(*) = 1 AS ok FROM pg_attribute WHERE attname = 'note'",
  },
  {
    name: 'tern, several statements: disable-tx (statement by statement), then CONCURRENTLY',
    layout: 'tern',
    files: {
      '1_tables.sql': TABLES,
      '2_index.sql':
        "SET lock_timeout = '2s';\nCREATE INDEX orders_user ON orders (user_id);\n---- create above / drop below ----\nDROP INDEX orders_user;\n",
    },
    target: '2_index.sql',
    fixed: ['create-index-non-concurrently'],
    contains: ['---- tern: disable-tx ----\nSET', 'CREATE INDEX CONCURRENTLY orders_user'],
    check: indexValid,
  },
  {
    name: 'Atlas: txmode none, then CONCURRENTLY',
    layout: 'atlas',
    files: {
      'atlas.sum': '',
      '20240101000000_tables.sql': TABLES,
      '20240102000000_index.sql':
        "SET lock_timeout = '2s';\nDROP INDEX orders_code;\nCREATE INDEX orders_user ON orders (user_id);\n",
    },
    target: '20240102000000_index.sql',
    fixed: ['drop-index-non-concurrently', 'create-index-non-concurrently'],
    contains: [
      '-- atlas:txmode none\n',
      'DROP INDEX CONCURRENTLY orders_code',
      'CREATE INDEX CONCURRENTLY orders_user',
    ],
    check: `SELECT (${indexValid}) AND to_regclass('orders_code') IS NULL AS ok`,
  },
];

const counts = (findings: Array<{ rule: string }>) =>
  findings.reduce((n, f) => n.set(f.rule, (n.get(f.rule) ?? 0) + 1), new Map<string, number>());

describe('lint --fix, run on PostgreSQL the way each tool runs the file', () => {
  for (const k of cases) {
    it(k.name, async () => {
      const files = { ...k.files };
      // the atlas case drops an index the history makes
      if (k.layout === 'atlas') files['20240101000000_tables.sql'] += 'CREATE INDEX orders_code ON orders (code);\n';
      const dir = tempTree(files);
      const options = { paths: [dir], cwd: dir, layout: k.layout };
      const before = await lint(options);
      const target = join(dir, k.target);
      const beforeCounts = counts(before.result.files.find((f) => f.path === k.target)!.findings);
      const [fixed] = (await fix(options)).filter((f) => f.path === k.target);

      expect(fixed!.applied.map((f) => f.rule).sort()).toEqual([...k.fixed].sort());
      for (const [rule, reason] of Object.entries(k.unfixed ?? {}))
        expect(fixed!.unfixed.find((u) => u.rule === rule)?.reason).toContain(reason);
      for (const fragment of k.contains) expect(fixed!.after).toContain(fragment);
      writeFileSync(target, fixed!.after);
      expect(readFileSync(target, 'utf8')).toBe(fixed!.after);

      // linting the fixed file finds none of the fixed rules, and no more of any other
      const after = await lint(options);
      const afterCounts = counts(after.result.files.find((f) => f.path === k.target)!.findings);
      for (const rule of k.fixed) expect([rule, afterCounts.get(rule) ?? 0]).toEqual([rule, 0]);
      for (const [rule, n] of afterCounts) expect([rule, n]).toEqual([rule, Math.min(n, beforeCounts.get(rule) ?? 0)]);

      // each migration as its tool runs it, in order: the history, then the fixed file
      await resetSchema(c);
      for (const [path, [file]] of after.linted) {
        await runAs(c, file!.text, file!.transaction);
        if (path.includes('tables')) await c.query(ROWS);
      }
      expect((await c.query(k.check)).rows[0].ok).toBe(true);
    });
  }
});
