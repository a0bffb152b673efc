import { describe, expect, it } from 'vitest';
import { defineRule, fill } from '../../src/lint/rule.js';
import { lintSql, where } from '../helpers/lint.js';

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);';

describe('tables and views created in this migration', () => {
  it('CREATE TABLE IF NOT EXISTS on a table of an earlier migration leaves it an existing table', () => {
    const result = lintSql(
      'CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);\nALTER TABLE users DROP COLUMN legacy;',
      {
        history: USERS,
      },
    );
    expect(where(result, 'create-index-non-concurrently')).toEqual(['create-index-non-concurrently@2:1']);
    expect(where(result, 'drop-column')).toEqual(['drop-column@3:1']);
  });

  it('CREATE TABLE IF NOT EXISTS of a table no earlier migration has creates it', () => {
    const result = lintSql(
      'CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);',
    );
    expect(where(result, 'create-index-non-concurrently')).toEqual([]);
  });

  it('CREATE TABLE … AS with IF NOT EXISTS on a table of an earlier migration leaves it an existing table', () => {
    const result = lintSql(
      'CREATE TABLE IF NOT EXISTS users AS SELECT 1::bigint AS id;\nCREATE INDEX users_id ON users (id);',
      { history: USERS },
    );
    expect(where(result, 'create-index-non-concurrently')).toEqual(['create-index-non-concurrently@2:1']);
  });

  it('CREATE MATERIALIZED VIEW IF NOT EXISTS on a view of an earlier migration leaves it an existing view', () => {
    const history = 'CREATE MATERIALIZED VIEW totals AS SELECT 1 AS total;';
    const sql =
      'CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1 AS total;\nREFRESH MATERIALIZED VIEW totals;';
    expect(where(lintSql(sql, { history }), 'refresh-matview-non-concurrently')).toEqual([
      'refresh-matview-non-concurrently@2:1',
    ]);
    expect(where(lintSql(sql), 'refresh-matview-non-concurrently')).toEqual([]);
  });
});

describe('transactions', () => {
  const SPLIT_VALIDATION = [
    'BEGIN;',
    "SET LOCAL lock_timeout = '1s';",
    'ALTER TABLE users ADD CONSTRAINT users_email_present CHECK (email IS NOT NULL) NOT VALID;',
    'COMMIT;',
    'ALTER TABLE users VALIDATE CONSTRAINT users_email_present;',
  ].join('\n');

  it('in one query string, a COMMIT ends the transaction and the statements after it run in a new one', () => {
    const result = lintSql(SPLIT_VALIDATION, { history: USERS, transaction: 'implicit' });
    expect(where(result, 'validate-in-same-transaction')).toEqual([]);
    expect(where(result, 'statements-after-exclusive-lock')).toEqual([]);
  });

  it('in one query string, the statements after a COMMIT still share a transaction block', () => {
    const result = lintSql('BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY users_email ON users (email);', {
      history: USERS,
      transaction: 'implicit',
    });
    expect(where(result, 'concurrently-in-transaction')).toEqual(['concurrently-in-transaction@4:1']);
  });

  it('in one query string, a ROLLBACK also undoes what ran before the BEGIN', () => {
    const sql = "SET lock_timeout = '2s';\nBEGIN;\nROLLBACK;\nALTER TABLE users DROP COLUMN legacy;";
    expect(where(lintSql(sql, { history: USERS, transaction: 'implicit' }), 'missing-lock-timeout')).toEqual([
      'missing-lock-timeout@4:1',
    ]);
    expect(where(lintSql(sql, { history: USERS, transaction: 'none' }), 'missing-lock-timeout')).toEqual([]);
  });

  it("in a file the tool wraps, a COMMIT ends the tool's transaction", () => {
    const result = lintSql(SPLIT_VALIDATION.replace('BEGIN;\n', ''), { history: USERS, transaction: 'per-file' });
    expect(where(result, 'validate-in-same-transaction')).toEqual([]);
    expect(where(result, 'transaction-nesting')).toEqual(['transaction-nesting@3:1']);
  });

  it("in a file the tool wraps, the statements up to the end share the tool's transaction", () => {
    const result = lintSql(SPLIT_VALIDATION.replace('BEGIN;\n', '').replace('COMMIT;\n', ''), {
      history: USERS,
      transaction: 'per-file',
    });
    expect(where(result, 'validate-in-same-transaction')).toEqual(['validate-in-same-transaction@3:1']);
  });

  it('a SET LOCAL ends at COMMIT, a plain SET made in the transaction stays', () => {
    const sql =
      "BEGIN;\nSET lock_timeout = '2s';\nSET LOCAL lock_timeout = 0;\nCOMMIT;\nALTER TABLE users DROP COLUMN legacy;";
    expect(where(lintSql(sql, { history: USERS }), 'missing-lock-timeout')).toEqual([]);
  });
});

describe('ignore comments', () => {
  it('one inside a statement applies to that statement, not the next', () => {
    const sql =
      "SET lock_timeout = '2s';\nALTER TABLE users\n  -- pgphase-ignore drop-column: no deployed version reads legacy\n  DROP COLUMN legacy;\nALTER TABLE users DROP COLUMN email;";
    const result = lintSql(sql, { history: USERS });
    expect(where(result, 'drop-column')).toEqual(['drop-column@5:1']);
    expect(where(result, 'unused-ignore')).toEqual([]);
  });
});

describe('locks', () => {
  it("a finding's lock text does not change what the rules see of the statement's later changes", () => {
    // the first change's finding works out the locks of the whole statement; the second change's
    // foreign key is seen by the rules after the first has applied, as without the lock text
    const history = 'CREATE TABLE customers (id int PRIMARY KEY);\nCREATE TABLE orders (id int, customer_id int);';
    const sql =
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID, ALTER COLUMN customer_id TYPE bigint;';
    const messages = (locks: boolean) =>
      lintSql(sql, { history, locks }).findings.map((f) => `${f.rule}: ${f.message}`);
    expect(messages(true)).toEqual(messages(false));
    expect(messages(false).filter((m) => m.startsWith('missing-lock-timeout'))).toEqual([
      expect.stringContaining('ACCESS EXCLUSIVE lock on "customers"'),
    ]);
  });
});

describe('rule dispatch', () => {
  it("a rule's change handler gets the changes of its kinds, narrowed; one without kinds gets every change", () => {
    const seen: string[] = [];
    const meta = { category: 'style', severity: 'warning', description: 'x', messages: {} } as const;
    const columns = defineRule({
      meta: { ...meta, id: 'columns' },
      kinds: ['add-column', 'drop-column'],
      create: () => ({
        change(change) {
          seen.push(`columns ${change.kind} ${change.kind === 'add-column' ? change.column.name : change.column}`);
        },
      }),
    });
    const every = defineRule({
      meta: { ...meta, id: 'every' },
      create: () => ({ change: (change) => void seen.push(`every ${change.kind}`) }),
    });
    lintSql('CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int, DROP COLUMN a;', {}, [columns, every]);
    expect(seen).toEqual([
      'every create-table',
      'columns add-column b',
      'every add-column',
      'columns drop-column a',
      'every drop-column',
    ]);
  });

  it('makes a visitor once per rule set and calls its file() before each file; a context read outside the handlers throws', () => {
    const calls: string[] = [];
    const meta = { id: 'files', category: 'style', severity: 'warning', description: 'x', messages: {} } as const;
    const files = defineRule({
      meta,
      create(context) {
        calls.push('create');
        return {
          file: () => void calls.push(`file ${context.source.statements.length}`),
          statement: (statement) => void calls.push(`statement ${statement.index}`),
        };
      },
    });
    const registry = [files];
    const severities = new Map();
    lintSql('SELECT 1;', {}, registry, severities);
    lintSql('SELECT 1;\nSELECT 2;', {}, registry, severities);
    expect(calls).toEqual(['create', 'file 1', 'statement 0', 'file 2', 'statement 0', 'statement 1']);
    const eager = defineRule({
      meta,
      create(context) {
        // the schema of which file?
        const tables = context.schema.tables;
        return { end: () => void tables };
      },
    });
    expect(() => lintSql('SELECT 1;', {}, [eager])).toThrow(
      'rule files reads its context outside a file: only its handlers may',
    );
    const asks = defineRule({
      meta,
      create(context) {
        const isNew = context.isNewTable({ name: 'orders' });
        return { end: () => void isNew };
      },
    });
    expect(() => lintSql('SELECT 1;', {}, [asks])).toThrow(
      'rule files reads its context outside a file: only its handlers may',
    );
  });
});

describe('fill', () => {
  it('puts the data in for each placeholder, leaves one without data as written, and a text without any as it is', () => {
    expect(fill('drop {{ column }} of {{table}}: {{column}}', { column: 'a', table: 't' })).toBe('drop a of t: a');
    expect(fill('{{a}}{{b}}', { a: 1 })).toBe('1{{b}}');
    expect(fill('{{n}} rows', { n: 0 })).toBe('0 rows');
    expect(fill('no placeholder — as it is')).toBe('no placeholder — as it is');
  });
});
