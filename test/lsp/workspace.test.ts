// The language server's linter (src/lsp/workspace.ts) against `lint()` on standard input: the same
// findings for a file in its history, however its layout splits migrations, and an edit that
// lints the file alone on the history replayed before it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lint, rules } from '../../src/index.js';
import { Workspace } from '../../src/lsp/workspace.js';
import { loadParser } from '../../src/sql/source.js';
import { tempTree } from '../helpers/cli.js';

const found = (findings: Array<{ rule: string; location: { line: number; column: number }; severity: string }>) =>
  findings.map((f) => `${f.location.line}:${f.location.column} ${f.severity} ${f.rule}`);

/** What `pgphase lint --stdin-filename <file>` reports for `text`. */
async function viaLint(cwd: string, file: string, text: string): Promise<string[]> {
  const { result } = await lint({ paths: [], cwd, stdin: { filename: file, text } });
  return found(result.files.flatMap((f) => f.findings));
}

async function viaWorkspace(workspace: Workspace, file: string, text: string): Promise<string[]> {
  return found((await workspace.lint(resolve(workspace.cwd, file), text))!.result.findings);
}

beforeAll(() => loadParser());

describe('the language server lints as lint does', () => {
  it('a migration split over several files: what the earlier files of its migration create is new to it', async () => {
    const root = tempTree({
      'db/1/01_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'db/2/01_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
      'db/2/02_index.sql': 'CREATE INDEX orders_user ON orders (user_id);\nCREATE INDEX users_name ON users (name);\n',
    });
    const workspace = new Workspace(rules, root);
    const text = readFileSync(join(root, 'db/2/02_index.sql'), 'utf8');
    const expected = await viaLint(root, 'db/2/02_index.sql', text);
    // orders is new in migration 2, users is not
    expect(expected).toEqual(['2:1 error create-index-non-concurrently']);
    expect(await viaWorkspace(workspace, 'db/2/02_index.sql', text)).toEqual(expected);
    // again, from the kept history: the same
    expect(await viaWorkspace(workspace, 'db/2/02_index.sql', text)).toEqual(expected);
  });

  it('a file of several migrations (Liquibase changesets), each in its own transaction model', async () => {
    const cwd = resolve('fixtures/liquibase');
    const text = readFileSync(join(cwd, 'changes/indexes.sql'), 'utf8');
    const expected = await viaLint(cwd, 'changes/indexes.sql', text);
    expect(expected).toEqual(['9:1 error drop-column', '9:1 error missing-lock-timeout']);
    expect(await viaWorkspace(new Workspace(rules, cwd), 'changes/indexes.sql', text)).toEqual(expected);
  });

  it('a file not written yet is the next migration of its directory', async () => {
    const root = tempTree({ 'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n' });
    const workspace = new Workspace(rules, root);
    const text = 'ALTER TABLE users ADD COLUMN age integer NOT NULL;\n';
    expect(await viaWorkspace(workspace, 'm/002_age.sql', text)).toEqual([
      '1:1 error add-required-column',
      '1:1 error missing-lock-timeout',
    ]);
    // once written, lint says the same
    writeFileSync(join(root, 'm/002_age.sql'), text);
    expect(await viaLint(root, 'm/002_age.sql', text)).toEqual([
      '1:1 error add-required-column',
      '1:1 error missing-lock-timeout',
    ]);
    // a down migration not written yet is no migration to lint, as one on disk is not
    expect(
      await workspace.lint(join(root, 'm/003_age.down.sql'), 'ALTER TABLE users DROP COLUMN age;\n'),
    ).toBeUndefined();
  });

  it('an edit lints the file on the history kept from before, until the files on disk are read again', async () => {
    const root = tempTree({
      'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50));\n',
      'm/002_type.sql': "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name TYPE text;\n",
    });
    const workspace = new Workspace(rules, root);
    const text = readFileSync(join(root, 'm/002_type.sql'), 'utf8');
    expect(await viaWorkspace(workspace, 'm/002_type.sql', text)).toEqual([]);
    writeFileSync(join(root, 'm/001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, name integer);\n');
    // the edit does not read or replay the history: the kept one still has varchar(50)
    expect(await viaWorkspace(workspace, 'm/002_type.sql', `${text}\n`)).toEqual([]);
    workspace.invalidate();
    const expected = ['2:1 error change-column-type', '2:1 error column-type-rewrite'];
    expect(await viaLint(root, 'm/002_type.sql', text)).toEqual(expected);
    expect(await viaWorkspace(workspace, 'm/002_type.sql', text)).toEqual(expected);
  });
});
