// `pgphase check` as a user runs it: exit 1 naming the query, the point and PostgreSQL's error;
// json and markdown reports; one line and exit 2 for bad input.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import '../helpers/db.js';

const SHOP = resolve('fixtures/check/shop');
const QUERIES = join(SHOP, 'queries.sql');
const shadow = ['--shadow-url', inject('pgAdminUrl')];

function shop(migration: string): string {
  return tempTree({
    'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
    'db/0002_rename.sql': migration,
    'queries.sql': readFileSync(QUERIES, 'utf8'),
  });
}

describe('pgphase check', () => {
  it('a plain rename: exit 1, each failure with the query, the point and the error', () => {
    const root = shop('ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    const run = runCli(['check', 'db/0002_rename.sql', '--queries', 'queries.sql', ...shadow], { cwd: root });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'V: 200 queries checked of 200 statements read; runs from before to after the migration',
    );
    expect(run.stdout).toContain(
      '✗ V after the migration: UPDATE users SET name = $2, email = $3 WHERE id = $1 RETURNING id, name, email (queries.sql:',
    );
    expect(run.stdout).toMatch(/\n {4}column "name" does not exist\n/);
    expect(run.stdout).toMatch(
      /\n✗ 21 queries of V fail where V runs, 0 lost index paths, 0 parameter type changes\n$/,
    );
  });

  it('the plan of the rename: exit 0; json and markdown reports', () => {
    const root = shop('ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    expect(runCli(['plan', 'db/0002_rename.sql', '--history', 'db'], { cwd: root }).code).toBe(0);
    const json = runCli(['check', 'db/0002_rename', '--queries', 'queries.sql', '--format', 'json', ...shadow], {
      cwd: root,
    });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({
      version: 1,
      target: { kind: 'plan', path: 'db/0002_rename' },
      failures: [],
      windows: { old: { from: 0, to: 3 }, new: { from: 2, to: 4 } },
    });
    expect(result.queries).toHaveLength(200);
    const markdown = runCli(
      ['check', 'db/0002_rename', '--queries', 'queries.sql', '--format', 'markdown', ...shadow],
      { cwd: root },
    );
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toMatch(/^## pgphase check: `db\/0002_rename`\n\n✅ 0 queries of V fail where V runs/);
    expect(markdown.stdout).toContain(
      '| Version | before | after expand | after trigger | after backfill | after contract | Query |',
    );
    expect(markdown.stdout).toContain(
      '| V | ok | ok | ok | ok | x | `UPDATE users SET name = $2, email = $3 WHERE id = $1 RETURNING id, name, email` |',
    );
  });

  it('bad input: one line, exit 2', () => {
    const root = shop('ALTER TABLE users RENAME COLUMN name TO full_name;\n');
    const none = runCli(['check', 'db/0002_rename.sql', ...shadow], { cwd: root });
    expect([none.code, none.stderr]).toEqual([
      2,
      "pgphase: check needs the running version's queries: give --queries <file> or --queries-from-url <url>\n",
    ]);
    const missing = runCli(['check', 'db/0002_rename.sql', '--queries', 'nope.sql', ...shadow], { cwd: root });
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'pgphase: nope.sql: cannot read the queries (ENOENT); give a .sql, .csv, .json or .log file\n',
    ]);
    const target = runCli(['check', 'db/0003_none.sql', '--queries', 'queries.sql', ...shadow], { cwd: root });
    expect([target.code, target.stderr]).toEqual([
      2,
      'pgphase: db/0003_none.sql: no such migration file or plan directory\n',
    ]);
  });
});
