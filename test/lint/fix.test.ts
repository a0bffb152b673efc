// The fixes pgphase proposes per transaction model and layout, and the reasons when there are none;
// the edits and the diff; `lint --fix` and `--fix-dry-run` from the command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayoutName } from '../../src/discover/names.js';
import { applyEdits, fixFile } from '../../src/lint/fix.js';
import type { TransactionModel } from '../../src/lint/rule.js';
import { unifiedDiff } from '../../src/report/diff.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { lintSql } from '../helpers/lint.js';

const HISTORY =
  'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, code text);';

/** The fixed text and the reasons of what was left, for a text linted and fixed as `layout` runs it under `transaction`. */
function fixed(text: string, layout: LayoutName | undefined, transaction: TransactionModel) {
  const { findings } = lintSql(text, { history: HISTORY, transaction });
  const plan = fixFile({ path: 'm.sql', text, layout, transaction, findings });
  return {
    text: applyEdits(
      text,
      plan.fixes.flatMap((f) => f.edits),
    ),
    fixes: plan.fixes.map((f) => f.rule),
    unfixed: plan.unfixed.map((u) => `${u.rule}@${u.line}: ${u.reason}`),
  };
}

describe('fixFile', () => {
  it('adds CONCURRENTLY where the statement runs outside a transaction', () => {
    expect(fixed("SET lock_timeout = '2s';\nDROP INDEX orders_code;", 'plain', 'none').text).toBe(
      "SET lock_timeout = '2s';\nDROP INDEX CONCURRENTLY orders_code;",
    );
    expect(fixed('create unique index i on orders (code);', undefined, 'none').text).toBe(
      'create unique index CONCURRENTLY i on orders (code);',
    );
  });

  it('adds no CONCURRENTLY to an index of a partitioned table, which PostgreSQL refuses', () => {
    const partitioned =
      'CREATE TABLE ev (id bigint, kind int) PARTITION BY LIST (kind);\nCREATE TABLE ev_0 PARTITION OF ev FOR VALUES IN (0);\nCREATE INDEX ev_id ON ev (id);';
    for (const sql of ['CREATE INDEX ev_kind ON ev (kind);', "SET lock_timeout = '2s';\nDROP INDEX ev_id;"]) {
      const { findings } = lintSql(sql, { history: partitioned, transaction: 'none' });
      const plan = fixFile({ path: 'm.sql', text: sql, layout: 'plain', transaction: 'none', findings });
      expect(
        plan.fixes.filter((f) => f.rule !== 'missing-lock-timeout'),
        sql,
      ).toEqual([]);
      expect(plan.unfixed.map((u) => u.reason).join(), sql).toContain(
        'PostgreSQL refuses CONCURRENTLY on a partitioned table',
      );
    }
  });

  it('keeps byte offsets and string indices apart (a name with characters of several bytes)', () => {
    expect(fixed('SET lock_timeout = \'2s\';\nCREATE INDEX "índice_ü" ON orders (code);', 'plain', 'none').text).toBe(
      'SET lock_timeout = \'2s\';\nCREATE INDEX CONCURRENTLY "índice_ü" ON orders (code);',
    );
  });

  it('gives the reason when the statement runs in a transaction the layout has no way out of', () => {
    const inBlock = fixed(
      "SET lock_timeout = '2s';\nBEGIN;\nCREATE INDEX i ON orders (code);\nCOMMIT;",
      'plain',
      'none',
    );
    expect(inBlock.fixes).toEqual([]);
    expect(inBlock.unfixed).toEqual([
      'create-index-non-concurrently@3: it runs between BEGIN and COMMIT, and CONCURRENTLY cannot: move it out of the transaction block',
    ]);
    expect(fixed('CREATE INDEX i ON orders (code);\nSELECT 1;', 'drizzle', 'per-file').unfixed[0]).toContain(
      'drizzle runs this file in a transaction',
    );
    const block = '-- +goose Up\n-- +goose StatementBegin\nCREATE INDEX i ON orders (code);\n-- +goose StatementEnd\n';
    expect(fixed(block, 'goose', 'per-file').unfixed[0]).toContain(
      'goose sends a StatementBegin … StatementEnd block as one query string',
    );
  });

  it("takes the layout's way out for CONCURRENTLY already written in a file run in a transaction, once for the file", () => {
    const sql =
      "-- +goose Up\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON orders (code);\nDROP INDEX CONCURRENTLY j;\n";
    const plan = fixed(sql, 'goose', 'per-file');
    expect(plan.text).toBe(`-- +goose NO TRANSACTION\n${sql}`);
    expect(plan.fixes).toEqual(['concurrently-in-transaction']);
    expect(
      fixed(
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON orders (code);\nSELECT 1;",
        'golang-migrate',
        'implicit',
      ).unfixed[0],
    ).toContain('golang-migrate sends the file as one query string');
  });

  it('adds NOT VALID and a VALIDATE only where a later transaction exists', () => {
    const sql = "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT c CHECK (code <> '')";
    expect(fixed(sql, 'plain', 'none').text).toBe(`${sql} NOT VALID;\nALTER TABLE "orders" VALIDATE CONSTRAINT "c";`);
    expect(fixed(`${sql};`, 'flyway', 'per-file').unfixed).toContain(
      'add-check-validated@2: VALIDATE must run in a later transaction, and flyway runs the whole file in one: run `pgphase plan m.sql`, which puts it in a phase of its own',
    );
    // an unnamed foreign key gets PostgreSQL's name for it
    expect(
      fixed("SET lock_timeout = '2s';\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;", 'plain', 'none')
        .text,
    ).toContain('VALIDATE CONSTRAINT "orders_user_id_fkey";');
  });

  it('builds the index of a new unique key concurrently, then adds the key USING INDEX', () => {
    expect(fixed("SET lock_timeout = '2s';\nALTER TABLE orders ADD PRIMARY KEY (code);", undefined, 'none').text).toBe(
      "SET lock_timeout = '2s';\n" +
        'CREATE UNIQUE INDEX CONCURRENTLY "orders_pkey" ON "orders" ("code");\nALTER TABLE "orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY USING INDEX "orders_pkey";',
    );
    // what CREATE UNIQUE INDEX cannot say is left to the plan
    expect(
      fixed('ALTER TABLE orders ADD CONSTRAINT u UNIQUE (code) DEFERRABLE;', undefined, 'none').unfixed[0],
    ).toContain('run `pgphase plan m.sql`');
  });

  it('sets lock_timeout once at the top for every statement that lacks it', () => {
    const plan = fixed(
      '-- a comment\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;',
      'plain',
      'none',
    );
    expect(plan.text).toBe(
      "-- a comment\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
    );
    expect(plan.fixes).toEqual(['missing-lock-timeout']);
  });

  it("writes the lines it adds with the file's line break", () => {
    expect(
      fixed('ALTER TABLE orders ADD COLUMN a int;\r\nALTER TABLE users ADD COLUMN b int;\r\n', 'plain', 'none').text,
    ).toBe(
      "SET lock_timeout = '2s';\r\nALTER TABLE orders ADD COLUMN a int;\r\nALTER TABLE users ADD COLUMN b int;\r\n",
    );
  });

  it('points a finding that needs phases at plan', () => {
    expect(fixed("SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN code;", 'plain', 'none').unfixed).toEqual([
      'drop-column@2: needs phases: run `pgphase plan m.sql`',
    ]);
  });
});

describe('applyEdits', () => {
  it('applies identical edits once, puts a directive line before a statement inserted at the same place, and refuses overlaps', () => {
    const at0 = (text: string) => ({ start: 0, end: 0, text });
    expect(applyEdits('X;', [at0('SET a = 1;\n'), at0('-- +goose NO TRANSACTION\n'), at0('SET a = 1;\n')])).toBe(
      '-- +goose NO TRANSACTION\nSET a = 1;\nX;',
    );
    expect(() =>
      applyEdits('abcdef', [
        { start: 0, end: 3, text: '' },
        { start: 2, end: 4, text: '' },
      ]),
    ).toThrow(/overlapping/);
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with three lines of context, removals before additions', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const after = before.replace('b', 'B').replace('j', 'J\nK');
    expect(unifiedDiff('m.sql', before, after)).toBe(
      [
        '--- a/m.sql',
        '+++ b/m.sql',
        '@@ -1,5 +1,5 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        '@@ -7,4 +7,5 @@',
        ' g',
        ' h',
        ' i',
        '-j',
        '+J',
        '+K',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff('m.sql', before, before)).toBe('');
  });
});

describe('pgphase lint --fix', () => {
  const files = {
    '001_tables.sql': `${HISTORY}\n`,
    '002_index.sql':
      "SET lock_timeout = '2s';\nCREATE INDEX i ON orders (code);\nALTER TABLE orders DROP COLUMN code;\n",
  };

  it('--fix-dry-run prints the diff and changes nothing', () => {
    const dir = tempTree(files);
    const r = runCli(['lint', '.', '--layout', 'plain', '--fix-dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "--- a/002_index.sql\n+++ b/002_index.sql\n@@ -1,4 +1,4 @@\n SET lock_timeout = '2s';\n-CREATE INDEX i ON orders (code);\n+CREATE INDEX CONCURRENTLY i ON orders (code);\n ALTER TABLE orders DROP COLUMN code;\n \n",
    );
    expect(r.stderr).toContain('pgphase: would fix 002_index.sql:2 create-index-non-concurrently: add CONCURRENTLY\n');
    expect(r.stderr).toContain(
      'pgphase: not fixed 002_index.sql:3 drop-column: needs phases: run `pgphase plan 002_index.sql`\n',
    );
    expect(readFileSync(join(dir, '002_index.sql'), 'utf8')).toBe(files['002_index.sql']);
  });

  it('--fix writes the fixes and reports what is left', () => {
    const dir = tempTree(files);
    const r = runCli(['lint', '.', '--layout', 'plain', '--fix', '--format', 'json'], { cwd: dir });
    expect(readFileSync(join(dir, '002_index.sql'), 'utf8')).toContain('CREATE INDEX CONCURRENTLY i ON orders (code);');
    const rules = (JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ rule: string }> }> }).files.flatMap((f) =>
      f.findings.map((x) => x.rule),
    );
    expect(rules).toContain('drop-column');
    expect(rules).not.toContain('create-index-non-concurrently');
    expect(r.code).toBe(1);
  });

  it('refuses standard input, in one line', () => {
    const r = runCli(['lint', '--stdin-filename', 'x.sql', '--fix'], { input: 'SELECT 1;' });
    expect([r.code, r.stderr]).toEqual([
      2,
      'pgphase: --fix and --fix-dry-run rewrite files: they cannot be combined with --stdin-filename or --write-baseline\n',
    ]);
  });
});
