// `pgphase lint --list` and `--layout`: how a repository is read, before anything is linted.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';

describe('pgphase lint --list', () => {
  it('prints the layout, the migrations in order with their transaction and files, and the skipped files', () => {
    const r = runCli(['lint', '--list', 'fixtures/pop']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'fixtures/pop: pop layout, 4 migrations in 5 files',
        '  20240105120000  transaction     20240105120000000000_users.up.sql',
        '  20240112093000  transaction     20240112093000000000_orders.postgres.up.sql',
        '                  transaction     20240112093000000001_orders.postgres.up.sql',
        '  20240120161500  no transaction  20240120161500000000_users_email_lower.postgres.autocommit.up.sql',
        '  20240202110000  transaction     20240202110000000000_orders_created_at.postgres.up.sql',
        '  skipped (down migration)  20240105120000000000_users.down.sql',
        '  skipped (for another database)  20240112093000000000_orders.mysql.up.sql',
        '  skipped (down migration)  20240112093000000000_orders.postgres.down.sql',
        '  skipped (for another database)  20240112093000000001_orders.mysql.up.sql',
        '  skipped (down migration)  20240112093000000001_orders.postgres.down.sql',
        '  skipped (down migration)  20240120161500000000_users_email_lower.postgres.autocommit.down.sql',
        '  skipped (down migration)  20240202110000000000_orders_created_at.postgres.down.sql',
        '  skipped (for another database)  20240202110000000000_orders_created_at.sqlite3.up.sql',
        '',
      ].join('\n'),
    );
  });

  it('names each file by itself where every migration is one file, and says when all pending migrations share a transaction', () => {
    const r = runCli(['lint', '--list', 'fixtures/drizzle', 'fixtures/plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'fixtures/drizzle: drizzle layout, 4 migrations in 4 files (the tool runs all pending migrations in one transaction)\n  transaction  0000_create_users.sql\n',
    );
    expect(r.stdout).toContain(
      [
        'fixtures/plain: plain layout, 6 migrations in 6 files',
        '  no transaction  0001_create_users.sql',
        '  no transaction  0002_create_products.sql',
        '  no transaction  0003_create_orders.sql',
        '  no transaction  0004_add_users_phone.sql',
        '  no transaction  0005_index_orders_user_id.sql',
        '  no transaction  0006_orders_status_not_null.sql',
        '  skipped (down migration)  0004_add_users_phone.down.sql',
        '  skipped (down migration)  0006_orders_status_not_null.rollback.sql',
      ].join('\n'),
    );
  });

  it('lists a Liquibase file under each of its changesets, and reads a directory as the named --layout', () => {
    expect(runCli(['lint', '--list', 'fixtures/liquibase']).stdout).toBe(
      [
        'fixtures/liquibase: liquibase layout, 5 migrations in 3 files',
        '  shop:1  transaction     changes/users.sql',
        '  shop:2  transaction     changes/users.sql',
        '  shop:3  transaction     changes/orders.sql',
        '  shop:5  no transaction  changes/indexes.sql',
        '  shop:6  transaction     changes/indexes.sql',
        '',
      ].join('\n'),
    );
    // detected as golang-migrate (each file a migration); read as up-down pairs, the shared version is one migration
    const root = tempTree({
      '1_products.up.sql': 'CREATE TABLE p (id int);',
      '1_products_index.up.sql': 'CREATE INDEX p_id ON p (id);',
    });
    expect(runCli(['lint', '--list', '.'], { cwd: root }).stdout).toBe(
      '.: golang-migrate layout, 2 migrations in 2 files\n  one query  1_products.up.sql\n  one query  1_products_index.up.sql\n',
    );
    expect(runCli(['lint', '--list', '--layout', 'up-down', '.'], { cwd: root }).stdout).toBe(
      '.: up-down layout, 1 migration in 2 files\n  1  one query  1_products.up.sql\n     one query  1_products_index.up.sql\n',
    );
  });

  it('takes the layout from the config, and --layout over it', () => {
    const root = tempTree({
      'db/2/01_a.sql': 'SELECT 1;',
      'pgphase.config.json': JSON.stringify({ layout: 'version-dirs' }),
    });
    expect(runCli(['lint', '--list', 'db'], { cwd: root }).stdout).toMatch(
      /^db: version-dirs layout, 1 migration in 1 file\n/,
    );
    const r = runCli(['lint', '--list', '--layout', 'atlas', 'db'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pgphase: db: no SQL migrations found for the atlas layout (looked for Atlas <version>_<name>.sql files with atlas.sum); found 1 file of the version-dirs layout: pass --layout version-dirs\n`,
    );
  });

  it('exits 2 with one line for an unknown layout, a nested directory, and --list with --staged', () => {
    const bad = runCli(['lint', '--layout', 'rails', 'fixtures/plain']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pgphase: .*rails.*\n$/);
    expect(bad.stderr).toContain('drizzle');

    const root = tempTree({
      'db/migrations/postgres/0/01_init.up.sql': 'CREATE TABLE a (id int);',
      'db/migrations/postgres/1/01_b.up.sql': 'CREATE TABLE b (id int);',
    });
    const nested = runCli(['lint', 'db'], { cwd: root });
    expect(nested.code).toBe(2);
    expect(nested.stderr).toBe(
      `pgphase: db: no SQL migrations at this level (looked for *.sql files); found 2 .sql files below it, in ${join('db', 'migrations', 'postgres', '0')}, ${join('db', 'migrations', 'postgres', '1')}: pass the directory that holds them (pgphase lint --list <dir> shows how it is read)\n`,
    );
    expect(runCli(['lint', '--list', 'db/migrations/postgres'], { cwd: root }).stdout).toMatch(
      /^db\/migrations\/postgres: version-dirs layout, 2 migrations in 2 files\n/,
    );

    const staged = runCli(['lint', '--list', '--staged']);
    expect(staged.code).toBe(2);
    expect(staged.stderr).toBe(
      'pgphase: --list reads directories and files: it cannot be combined with --staged, --changed-since or --stdin-filename\n',
    );
  });
});

describe('pgphase plan --layout', () => {
  it('replays a --history directory the way the named tool reads it', () => {
    const root = tempTree({
      'history/1/01_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);',
      'history/1/01_users.down.sql': 'DROP TABLE users;',
      'next.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;',
    });
    const r = runCli(['plan', 'next.sql', '--history', 'history', '--layout', 'version-dirs', '--out', 'plan'], {
      cwd: root,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wrong = runCli(['plan', 'next.sql', '--history', 'history', '--layout', 'flyway', '--out', 'plan2'], {
      cwd: root,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('pass --layout version-dirs');
  });
});
