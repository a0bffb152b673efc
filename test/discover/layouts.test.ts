// The layouts of issue-sized histories built per test: down names in every layout, versions
// split over files, other databases' files, journal and changelog order, nested directories.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { discoverSet, fileInSet, isForwardMigration } from '../../src/discover/index.js';
import { goTemplateText } from '../../src/discover/layouts.js';
import { tempTree as tree } from '../helpers/cli.js';

// readFileSync as itself, watched: which files discovery reads
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return { ...fs, readFileSync: vi.fn(fs.readFileSync) };
});

const listed = async (root: string, layout?: Parameters<typeof discoverSet>[1]) => {
  const set = await discoverSet(root, layout);
  return {
    layout: set.layout,
    files: set.files.map((f) => [relative(root, f.absPath), f.migration, f.transaction]),
    skipped: set.skipped.map((f) => [relative(root, f.absPath), f.reason]).sort(),
  };
};

describe('down files', () => {
  it('are skipped in the plain layout, by every name a down file has', async () => {
    const root = tree({
      '001_users.sql': 'CREATE TABLE users (id int);',
      '001_users_down.sql': 'DROP TABLE users;',
      '002_orders.sql': 'CREATE TABLE orders (id int);',
      '002_orders.down.sql': 'DROP TABLE orders;',
      '002_orders.rollback.sql': 'DROP TABLE orders;',
      'down.sql': 'DROP TABLE users;',
      'U2__orders.sql': 'DROP TABLE orders;',
    });
    expect(await listed(root)).toEqual({
      layout: 'plain',
      files: [
        ['001_users.sql', '001_users.sql', 'none'],
        ['002_orders.sql', '002_orders.sql', 'none'],
      ],
      skipped: [
        ['001_users_down.sql', 'down'],
        ['002_orders.down.sql', 'down'],
        ['002_orders.rollback.sql', 'down'],
        ['U2__orders.sql', 'down'],
        ['down.sql', 'down'],
      ],
    });
    for (const name of ['001_users_down.sql', '002_orders.rollback.sql', 'down.sql', 'U2__orders.sql']) {
      expect(await fileInSet(join(root, name)), name).toBeUndefined();
      expect(isForwardMigration(join(root, name)), name).toBe(false);
    }
  });

  it('are skipped when a layout is named, whatever it reads', async () => {
    const root = tree({
      '1_a.sql': 'SELECT 1;',
      '1_a.down.sql': 'SELECT 2;',
      '2_b.sql': 'SELECT 3;',
      '2_b.rollback.sql': 'SELECT 4;',
    });
    for (const layout of ['plain', 'atlas', 'drizzle'] as const) {
      expect(
        (await listed(root, layout)).files.map(([rel]) => rel),
        layout,
      ).toEqual(['1_a.sql', '2_b.sql']);
    }
  });

  it('ending in _down.sql only where the tool is unknown: a Flyway or sqitch change may be named so', async () => {
    const flyway = tree({
      'V1__init.sql': 'CREATE TABLE t (c int);',
      'V2__scale_down.sql': 'CREATE INDEX i ON t (c);',
      'U2__scale_down.sql': 'DROP INDEX i;',
    });
    expect((await listed(flyway)).files.map(([rel]) => rel)).toEqual(['V1__init.sql', 'V2__scale_down.sql']);
    const sqitch = tree({
      'sqitch.plan': '%project=p\nslow_down 2024-01-01T00:00:00Z a <a@b> # x\n',
      'deploy/slow_down.sql': 'CREATE TABLE t (id int);',
      'revert/slow_down.sql': 'DROP TABLE t;',
    });
    expect((await listed(sqitch)).files.map(([rel]) => rel)).toEqual(['deploy/slow_down.sql']);
    const plain = tree({ '1_a.sql': 'SELECT 1;', '1_a_down.sql': 'SELECT 2;' });
    expect((await listed(plain)).files.map(([rel]) => rel)).toEqual(['1_a.sql']);
  });

  it('do not swallow names that only end like one', async () => {
    const root = tree({ '0007_lockdown.sql': '', '0008_breakdown_report.sql': '' });
    expect((await listed(root)).files.map(([rel]) => rel)).toEqual(['0007_lockdown.sql', '0008_breakdown_report.sql']);
  });
});

describe('up-down pairs with a dot after the version', () => {
  it('applies the up files by version as a number and skips every down file', async () => {
    const root = tree({
      'V10.AddPhone.up.sql': '',
      'V10.AddPhone.down.sql': '',
      'V2.Orders.up.sql': '',
      'V2.Orders.down.sql': '',
      'V1.Init.up.sql': '',
      'V1.Init.down.sql': '',
    });
    expect(await listed(root)).toEqual({
      layout: 'up-down',
      files: [
        ['V1.Init.up.sql', '1', 'implicit'],
        ['V2.Orders.up.sql', '2', 'implicit'],
        ['V10.AddPhone.up.sql', '10', 'implicit'],
      ],
      skipped: [
        ['V1.Init.down.sql', 'down'],
        ['V10.AddPhone.down.sql', 'down'],
        ['V2.Orders.down.sql', 'down'],
      ],
    });
  });
});

describe('version folders', () => {
  it('orders versions as numbers and files inside by name with their numbers as numbers, one migration per folder', async () => {
    const root = tree({
      '71/10_w.up.sql': '',
      '71/3_v.up.sql': '',
      '71/08_x.up.sql': '',
      '71/08_x.down.sql': '',
      '71/02_y.up.sql': '',
      '9/01_z.up.sql': '',
      '0/01_init.up.sql': '',
      '0/01_init.down.sql': '',
    });
    expect(await listed(root)).toEqual({
      layout: 'version-dirs',
      files: [
        ['0/01_init.up.sql', '0', 'implicit'],
        ['9/01_z.up.sql', '9', 'implicit'],
        ['71/02_y.up.sql', '71', 'implicit'],
        ['71/3_v.up.sql', '71', 'implicit'],
        ['71/08_x.up.sql', '71', 'implicit'],
        ['71/10_w.up.sql', '71', 'implicit'],
      ],
      skipped: [
        ['0/01_init.down.sql', 'down'],
        ['71/08_x.down.sql', 'down'],
      ],
    });
    // a file named on its own belongs to the history of its version's parent
    const found = await fileInSet(join(root, '71/08_x.up.sql'));
    expect(found?.set.root).toBe(root);
    expect(found?.file.migration).toBe('71');
    expect(await fileInSet(join(root, '71/08_x.down.sql'))).toBeUndefined();
  });

  it('are not read where the root holds .sql files of its own', async () => {
    const root = tree({ '001_users.sql': '', '002/01_note.sql': '' });
    expect((await listed(root)).files.map(([rel]) => rel)).toEqual(['001_users.sql']);
  });
});

describe('pop', () => {
  it("groups the parts of a version, skips other databases' files and a file for all databases where the version has PostgreSQL's", async () => {
    const root = tree({
      '20240101000000000000_users.up.sql': '',
      '20240101000000000000_users.down.sql': '',
      '20240102000000000000_orders.postgres.up.sql': '',
      '20240102000000000000_orders.mysql.up.sql': '',
      '20240102000000000001_orders.postgres.up.sql': '',
      '20240102000000000001_orders.sqlite3.up.sql': '',
      '20240102000000000001_orders.cockroach.up.sql': '',
      '20240103000000000000_ids.up.sql': '',
      '20240103000000000000_ids.postgres.up.sql': '',
      '20240104000000000000_idx.postgres.autocommit.up.sql': '',
    });
    expect(await listed(root)).toEqual({
      layout: 'pop',
      files: [
        ['20240101000000000000_users.up.sql', '20240101000000', 'per-file'],
        ['20240102000000000000_orders.postgres.up.sql', '20240102000000', 'per-file'],
        ['20240102000000000001_orders.postgres.up.sql', '20240102000000', 'per-file'],
        ['20240103000000000000_ids.postgres.up.sql', '20240103000000', 'per-file'],
        ['20240104000000000000_idx.postgres.autocommit.up.sql', '20240104000000', 'none'],
      ],
      skipped: [
        ['20240101000000000000_users.down.sql', 'down'],
        ['20240102000000000000_orders.mysql.up.sql', 'other-database'],
        ['20240102000000000001_orders.cockroach.up.sql', 'other-database'],
        ['20240102000000000001_orders.sqlite3.up.sql', 'other-database'],
        ['20240103000000000000_ids.up.sql', 'replaced'],
      ],
    });
    expect(await fileInSet(join(root, '20240102000000000000_orders.mysql.up.sql'))).toBeUndefined();
    expect(await fileInSet(join(root, '20240103000000000000_ids.up.sql'))).toBeUndefined();
    expect(isForwardMigration(join(root, '20240102000000000001_orders.sqlite3.up.sql'))).toBe(false);
  });

  it('reads no file of another database, to detect the layout or after', async () => {
    const root = tree({
      '20240102000000000000_orders.postgres.up.sql': 'CREATE TABLE orders (id int);',
      '20240102000000000000_orders.mysql.up.sql': 'CREATE TABLE orders (id int);',
    });
    vi.mocked(readFileSync).mockClear();
    expect((await listed(root)).layout).toBe('pop');
    const read = vi.mocked(readFileSync).mock.calls.map(([path]) => relative(root, String(path)));
    expect(read).toEqual(['20240102000000000000_orders.postgres.up.sql']);
  });
});

describe('drizzle-kit', () => {
  it('follows the journal, then files it does not list, and says all pending migrations share one transaction', async () => {
    const journal = {
      version: '7',
      dialect: 'postgresql',
      entries: [
        { idx: 0, tag: '0001_b' },
        { idx: 1, tag: '0000_a' },
      ],
    };
    const root = tree({
      '0000_a.sql': '',
      '0001_b.sql': '',
      '0002_c.sql': '',
      'meta/_journal.json': JSON.stringify(journal),
      'meta/0000_snapshot.json': '{}',
    });
    expect((await listed(root)).files).toEqual([
      ['0001_b.sql', '0001_b', 'per-file'],
      ['0000_a.sql', '0000_a', 'per-file'],
      ['0002_c.sql', '0002_c', 'per-file'],
    ]);
    expect((await discoverSet(root)).pendingInOneTransaction).toBe(true);
  });

  it('keeps the names order when the journal does not parse', async () => {
    const root = tree({ '0001_b.sql': '', '0000_a.sql': '', 'meta/_journal.json': '{ not json' });
    expect((await listed(root)).files.map(([rel]) => rel)).toEqual(['0000_a.sql', '0001_b.sql']);
  });
});

describe('Liquibase formatted SQL', () => {
  const file = (...changesets: string[]) => `--liquibase formatted sql\n\n${changesets.join('\n')}`;

  it('does not stop at a file that cannot be read: the layout is still detected, and only migrations are read', async () => {
    const root = tree({ 'V1__users.sql': 'CREATE TABLE users (id int);' });
    mkdirSync(join(root, 'notes'));
    // a link to nothing: reading it fails (no such file)
    symlinkSync(join(root, 'missing'), join(root, 'notes', 'draft.sql'));
    expect((await listed(root)).files).toEqual([['V1__users.sql', 'V1__users.sql', 'per-file']]);
  });

  it('makes each changeset a migration, in the order the master changelog includes the files', async () => {
    const root = tree({
      'changelog.xml':
        '<databaseChangeLog>\n  <include file="b.sql"/>\n  <include file="a.sql"/>\n</databaseChangeLog>\n',
      'a.sql': file(
        '--changeset ann:1\nCREATE TABLE t (x int);\n',
        '--changeset ann:2 runInTransaction:false\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n',
      ),
      'b.sql': file(
        '--changeset bob:1 dbms:postgresql,h2\nCREATE TABLE u (x int);\n',
        '--changeset bob:2 dbms:mysql\nCREATE TABLE v (x int) ENGINE=InnoDB;\n',
      ),
      'notes.sql': 'SELECT 1;\n',
    });
    expect(await listed(root)).toEqual({
      layout: 'liquibase',
      files: [
        ['b.sql', 'bob:1', 'per-file'],
        ['a.sql', 'ann:1', 'per-file'],
        ['a.sql', 'ann:2', 'none'],
      ],
      skipped: [],
    });
    const [first, second] = (await discoverSet(root)).files.filter((f) => f.migration.startsWith('ann'));
    expect(first!.text).toContain('CREATE TABLE t');
    expect(first!.text).not.toContain('CONCURRENTLY');
    expect(second!.text).toContain('CONCURRENTLY');
    expect(second!.text).not.toContain('CREATE TABLE');
  });

  it('skips a changelog whose changesets are all for other databases, in the directory and named alone', async () => {
    const root = tree({
      'a.sql': file('--changeset ann:1\nCREATE TABLE t (x int);\n'),
      'm.sql': file('--changeset ann:9 dbms:mysql\nALTER TABLE t ADD COLUMN y int;\n'),
    });
    expect(await listed(root)).toEqual({
      layout: 'liquibase',
      files: [['a.sql', 'ann:1', 'per-file']],
      skipped: [['m.sql', 'other-database']],
    });
    expect(await fileInSet(join(root, 'm.sql'))).toBeUndefined();
  });

  it('places a changelog named on its own in the history one level up, and any other .sql file in its own directory', async () => {
    const root = tree({
      'changelog/db.changelog-master.yaml': 'databaseChangeLog:\n  - include:\n      file: changes/a.sql\n',
      'changelog/changes/a.sql': file('--changeset a:1\nSELECT 1;\n'),
      'svc/001_a.sql': 'SELECT 1;\n',
    });
    expect((await fileInSet(join(root, 'changelog/changes/a.sql')))?.set).toMatchObject({
      root: join(root, 'changelog'),
      layout: 'liquibase',
    });
    expect((await fileInSet(join(root, 'svc/001_a.sql')))?.set).toMatchObject({
      root: join(root, 'svc'),
      layout: 'plain',
    });
  });

  it("skips a changelog the master does not include, in the directory and named alone, unless the master's includes are not all read", async () => {
    const changes = {
      'changes/a.sql': file('--changeset a:1\nCREATE TABLE t (x int);\n'),
      'changes/draft.sql': file('--changeset a:2\nDROP TABLE t;\n'),
    };
    const yaml = (...files: string[]) =>
      `databaseChangeLog:\n${files.map((f) => `  - include:\n      file: ${f}\n`).join('')}`;
    const root = tree({ 'db.changelog-master.yaml': yaml('changes/a.sql'), ...changes });
    expect(await listed(root)).toEqual({
      layout: 'liquibase',
      files: [['changes/a.sql', 'a:1', 'per-file']],
      skipped: [['changes/draft.sql', 'unincluded']],
    });
    expect(await fileInSet(join(root, 'changes/draft.sql'))).toBeUndefined();
    // a master that includes a changelog of its own (not read here), or all files of a directory, may run any file
    for (const master of [
      yaml('changes/a.sql', 'release/db.changelog-2.xml'),
      'databaseChangeLog:\n  - includeAll:\n      path: changes/\n',
    ]) {
      const open = tree({ 'db.changelog-master.yaml': master, ...changes });
      expect((await listed(open)).files.map(([, id]) => id)).toEqual(['a:1', 'a:2']);
    }
  });

  it('orders files by name without a master changelog (includeAll)', async () => {
    const root = tree({
      'changes/002.sql': file('--changeset a:2\nSELECT 2;\n'),
      'changes/001.sql': file('--changeset a:1\nSELECT 1;\n'),
    });
    expect((await listed(root)).files.map(([, id]) => id)).toEqual(['a:1', 'a:2']);
  });
});

describe('Atlas', () => {
  it('runs a file in its own transaction unless it says txmode none', async () => {
    const root = tree({
      'atlas.sum': 'h1:x\n',
      '20240101_a.sql': 'CREATE TABLE a (x int);\n',
      '20240102_b.sql': '-- atlas:txmode none\nCREATE INDEX CONCURRENTLY b ON a (x);\n',
    });
    expect((await listed(root)).files).toEqual([
      ['20240101_a.sql', '20240101_a.sql', 'per-file'],
      ['20240102_b.sql', '20240102_b.sql', 'none'],
    ]);
  });

  it('leaves a golang-migrate directory that keeps an atlas.sum to golang-migrate', async () => {
    const root = tree({ 'atlas.sum': 'h1:x\n', '20240101_a.up.sql': '', '20240101_a.down.sql': '' });
    expect((await listed(root)).layout).toBe('golang-migrate');
  });
});

describe('tern', () => {
  it('reads numbered files by number, above the separator, in a transaction unless disable-tx, templates rendered; a subdirectory holds templates, not migrations', async () => {
    const root = tree({
      '10_c.sql': '---- tern: disable-tx ----\ncreate index concurrently c on a (x);\n',
      '2_b.sql': 'alter table a add column y int;\n---- create above / drop below ----\nalter table a drop column y;\n',
      '1_a.sql':
        'create table {{ .schema }}.a (x int);\n{{ if .seed }}insert into {{ .schema }}.a values (1);{{ end }}\n',
      'shared/1_grants.sql': 'grant select on a to app;\n',
    });
    expect(await listed(root)).toEqual({
      layout: 'tern',
      files: [
        ['1_a.sql', '1_a.sql', 'per-file'],
        ['2_b.sql', '2_b.sql', 'per-file'],
        ['10_c.sql', '10_c.sql', 'none'],
      ],
      skipped: [],
    });
    const set = await discoverSet(root);
    expect(set.files[0]!.text).toBe(
      `create table t_schema_____.a (x int);\n${' '.repeat(14)}insert into t_schema_____.a values (1);${' '.repeat(9)}\n`,
    );
    expect(set.files[1]!.text).toBe(`alter table a add column y int;\n${' '.repeat(35)}\n${' '.repeat(28)}\n`);
    // known by its config file too, before any file says so
    expect((await listed(tree({ 'tern.conf': '[database]\n', '1_a.sql': 'create table a (x int);' }))).layout).toBe(
      'tern',
    );
  });
});

describe('temporal-sql-tool', () => {
  const manifest = (version: string, files: string[]) =>
    JSON.stringify({ CurrVersion: version, MinCompatibleVersion: '1.0', SchemaUpdateCqlFiles: files });

  it("reads version folders in semver order and each one's files in its manifest's order, statement by statement; a file the manifest does not list is skipped", async () => {
    const root = tree({
      'v1.0/manifest.json': manifest('1.0', ['schema.sql']),
      'v1.0/schema.sql': 'create table a (x int);',
      'v1.9/manifest.json': manifest('1.9', ['b.sql', 'a.sql']),
      'v1.9/a.sql': 'create index concurrently a_x on a (x);',
      'v1.9/b.sql': 'alter table a add column y int;',
      'v1.9/notes.sql': 'drop table a;',
      'v1.10/manifest.json': manifest('1.10', ['c.sql']),
      'v1.10/c.sql': 'alter table a add column z int;',
      'v2/manifest.json': manifest('2', ['d.sql']),
      'v2/d.sql': 'alter table a add column w int;',
    });
    expect(await listed(root)).toEqual({
      layout: 'temporal-sql-tool',
      files: [
        ['v1.0/schema.sql', 'v1.0', 'none'],
        ['v1.9/b.sql', 'v1.9', 'none'],
        ['v1.9/a.sql', 'v1.9', 'none'],
        ['v1.10/c.sql', 'v1.10', 'none'],
        ['v2/d.sql', 'v2', 'none'],
      ],
      skipped: [['v1.9/notes.sql', 'unincluded']],
    });
  });

  it('reads every file of a version whose manifest does not parse, by name, after those its manifest would list', async () => {
    const root = tree({
      'v1.0/manifest.json': '{ "CurrVersion": "1.0", ',
      'v1.0/b.sql': 'create table b (x int);',
      'v1.0/a.sql': 'create table a (x int);',
      'v1.1/manifest.json': manifest('1.1', ['c.sql']),
      'v1.1/c.sql': 'alter table a add column y int;',
    });
    expect((await listed(root)).files).toEqual([
      ['v1.0/a.sql', 'v1.0', 'none'],
      ['v1.0/b.sql', 'v1.0', 'none'],
      ['v1.1/c.sql', 'v1.1', 'none'],
    ]);
  });
});

describe('Go templates', () => {
  it("are rendered in pop's migrations, which pop runs through text/template", async () => {
    const root = tree({
      '20210101000000_a.up.sql': 'CREATE TABLE "{{ index .Options "Namespace" }}".t (id int);\n',
      '20210101000000_a.down.sql': 'DROP TABLE t;\n',
    });
    const set = await discoverSet(root, 'pop');
    expect(set.files.map((f) => f.text)).toEqual(['CREATE TABLE "t_index_options_namespace_______".t (id int);\n']);
  });

  it('are made into SQL that parses, each byte and line kept: control actions blanked, an expression the same name wherever it is', () => {
    const text = `create index i on "{{ index .Options "Namespace" }}".t (x);\n{{- /* a\ncomment */ -}}\nselect '{{ index .Options "Namespace" }}';\n{{.}}`;
    const rendered = goTemplateText(text);
    expect(Buffer.byteLength(rendered)).toBe(Buffer.byteLength(text));
    expect(rendered.split('\n').length).toBe(text.split('\n').length);
    expect(rendered).toBe(
      `create index i on "t_index_options_namespace_______".t (x);\n${' '.repeat(8)}\n${' '.repeat(14)}\nselect 't_index_options_namespace_______';\nt____`,
    );
  });
});

describe('sqlx', () => {
  const crate = (manifest: string, files: Record<string, string>) =>
    tree({
      'Cargo.toml': manifest,
      ...Object.fromEntries(Object.entries(files).map(([rel, text]) => [`migrations/${rel}`, text])),
    });

  it('reads the migrations of a crate that depends on sqlx in its transactions, by version, outside one only where the text begins with -- no-transaction', async () => {
    for (const manifest of [
      '[package]\nname = "server"\n\n[dependencies]\nsqlx = { workspace = true, features = ["postgres"] }\n',
      '[dependencies.sqlx]\nversion = "0.8"\n',
    ]) {
      const root = join(
        crate(manifest, {
          '20240102000000_b.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY b ON a (x);\n',
          '20240101000000_a.sql': 'CREATE TABLE a (x int);\n',
          '20240103000000_c.sql': '\n-- no-transaction\nCREATE INDEX c ON a (x);\n',
          '9_first.sql': 'SELECT 1;\n',
        }),
        'migrations',
      );
      expect(await listed(root)).toEqual({
        layout: 'sqlx',
        files: [
          ['9_first.sql', '9_first.sql', 'per-file'],
          ['20240101000000_a.sql', '20240101000000_a.sql', 'per-file'],
          ['20240102000000_b.sql', '20240102000000_b.sql', 'implicit'],
          // sqlx looks at the text's first bytes only
          ['20240103000000_c.sql', '20240103000000_c.sql', 'per-file'],
        ],
        skipped: [],
      });
    }
  });

  it("reads a workspace's migrations when one of its members depends on sqlx", async () => {
    for (const members of ['["server"]', '[\n  "crates/*",\n]']) {
      const root = tree({
        'Cargo.toml': `[workspace]\nmembers = ${members}\nresolver = "2"\n`,
        'server/Cargo.toml': '[dependencies]\nsqlx = { version = "0.8", features = ["postgres"] }\n',
        'crates/api/Cargo.toml': '[dependencies]\nsqlx.workspace = true\n',
        'crates/cli/Cargo.toml': '[dependencies]\nclap = "4"\n',
        'migrations/1_a.sql': 'CREATE TABLE a (x int);',
      });
      expect((await listed(join(root, 'migrations'))).layout, members).toBe('sqlx');
    }
    const none = tree({
      'Cargo.toml': '[workspace]\nmembers = ["cli"]\n',
      'cli/Cargo.toml': '[dependencies]\nclap = "4"\n',
      'migrations/1_a.sql': 'CREATE TABLE a (x int);',
    });
    expect((await listed(join(none, 'migrations'))).layout).toBe('plain');
  });

  it('reads reversible migrations in their transactions, their down files skipped', async () => {
    const root = join(
      crate('[dependencies]\nsqlx = "0.8"\n', {
        '1_a.up.sql': 'CREATE TABLE a (x int);',
        '1_a.down.sql': 'DROP TABLE a;',
      }),
      'migrations',
    );
    expect(await listed(root)).toEqual({
      layout: 'sqlx',
      files: [['1_a.up.sql', '1_a.up.sql', 'per-file']],
      skipped: [['1_a.down.sql', 'down']],
    });
  });

  it("leaves to their own layouts a crate without sqlx, a history kept by goose, dbmate or Atlas, and a crate beyond the repository's root", async () => {
    const files = { '1_a.up.sql': 'CREATE TABLE a (x int);', '1_a.down.sql': 'DROP TABLE a;' };
    expect((await listed(join(crate('[dependencies]\ndiesel = "2"\n', files), 'migrations'))).layout).toBe(
      'golang-migrate',
    );
    const sqlx = '[dependencies]\nsqlx = "0.8"\n';
    const goose = crate(sqlx, { '1_a.sql': '-- +goose Up\nCREATE TABLE a (x int);\n' });
    expect((await listed(join(goose, 'migrations'))).layout).toBe('goose');
    const dbmate = crate(sqlx, { '1_a.sql': '-- migrate:up\nCREATE TABLE a (x int);\n' });
    expect((await listed(join(dbmate, 'migrations'))).layout).toBe('dbmate');
    const atlas = crate(sqlx, { 'atlas.sum': 'h1:x\n', '1_a.sql': 'CREATE TABLE a (x int);\n' });
    expect((await listed(join(atlas, 'migrations'))).layout).toBe('atlas');
    const beyond = crate(sqlx, { 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/db/1_a.sql': 'SELECT 1;' });
    expect((await listed(join(beyond, 'migrations', 'repo', 'db'))).layout).toBe('plain');
  });
});

describe('Supabase', () => {
  it('reads supabase/migrations, from the supabase directory or the migrations one, as one query per file', async () => {
    const files = {
      'config.toml': '',
      'seed.sql': 'INSERT INTO t VALUES (1);',
      'migrations/20240101000000_a.sql': '',
      'tests/database/a.test.sql': '',
    };
    const root = join(
      tree(Object.fromEntries(Object.entries(files).map(([rel, text]) => [`supabase/${rel}`, text]))),
      'supabase',
    );
    expect(await listed(root)).toEqual({
      layout: 'supabase',
      files: [['migrations/20240101000000_a.sql', 'migrations/20240101000000_a.sql', 'implicit']],
      skipped: [],
    });
    expect((await listed(join(root, 'migrations'))).layout).toBe('supabase');
  });
});

describe('node-pg-migrate', () => {
  it('lints the Up Migration section only and says all pending migrations share one transaction', async () => {
    const root = tree({
      '1700000000000_a.sql': '-- Up Migration\nCREATE TABLE a (x int);\n-- Down Migration\nDROP TABLE a;\n',
    });
    const set = await discoverSet(root);
    expect(set.layout).toBe('node-pg-migrate');
    expect(set.pendingInOneTransaction).toBe(true);
    expect(set.files[0]!.text).not.toContain('DROP');
  });
});

describe('nothing found', () => {
  it('names the .sql files found below a directory and where they are', async () => {
    const root = tree({
      'db/migrations/postgres/1/01_a.up.sql': '',
      'db/migrations/postgres/2/01_b.up.sql': '',
      'README.md': '',
    });
    const error = await discoverSet(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${root}: no SQL migrations at this level (looked for *.sql files); found 2 .sql files below it, in ${join(root, 'db/migrations/postgres/1')}, ${join(root, 'db/migrations/postgres/2')}: pass the directory that holds them (pgphase lint --list <dir> shows how it is read)`,
    );
    // the directory that holds the version folders is read as such
    expect((await listed(join(root, 'db/migrations/postgres'))).layout).toBe('version-dirs');
  });

  it('names the layout that reads the files when another one is asked for', async () => {
    const root = tree({ 'V1.Init.up.sql': '', 'V1.Init.down.sql': '' });
    await expect(discoverSet(root, 'flyway')).rejects.toThrow(
      new InputError(
        `${root}: no SQL migrations found for the flyway layout (looked for Flyway V<version>__<description>.sql files); found 1 file of the up-down layout: pass --layout up-down`,
      ),
    );
  });
});
