// Discovery edge cases on directories built per test: numeric order, Flyway's
// non-transactional files, byte-exact blanking, sqitch plans, and input errors.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { discoverSet, Discovery, fileInSet, isForwardMigration } from '../../src/discover/index.js';
import { lint } from '../../src/lint/lint.js';
import { rules } from '../../rules/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary directory holding the given files (relative path → content). */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'pgphase-discover-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return root;
}

const names = (set: { files: { absPath: string }[] }) => set.files.map((f) => basename(f.absPath));

describe('order', () => {
  it('sorts plain files with numbers compared as numbers, and skips other files', async () => {
    const root = await tree({ '10_c.sql': '', '2_b.sql': '', '1_a.sql': '', 'notes.txt': '', 'sub/9_x.sql': '' });
    const set = await discoverSet(root);
    expect(set.layout).toBe('plain');
    expect(names(set)).toEqual(['1_a.sql', '2_b.sql', '10_c.sql']);
  });

  it('sorts golang-migrate versions numerically and leaves the down files out', async () => {
    const root = await tree({
      '10_c.up.sql': '',
      '10_c.down.sql': '',
      '2_b.up.sql': '',
      '2_b.down.sql': '',
      '1_a.up.sql': '',
    });
    const set = await discoverSet(root);
    expect(set.layout).toBe('golang-migrate');
    expect(names(set)).toEqual(['1_a.up.sql', '2_b.up.sql', '10_c.up.sql']);
  });

  it('sorts goose versions numerically', async () => {
    const up = '-- +goose Up\nSELECT 1;\n';
    const set = await discoverSet(await tree({ '10_b.sql': up, '9_a.sql': up }));
    expect(set.layout).toBe('goose');
    expect(names(set)).toEqual(['9_a.sql', '10_b.sql']);
  });

  it('sorts Flyway versions part by part, either separator, then repeatables by description', async () => {
    const root = await tree({
      'R__b.sql': '',
      'R__a.sql': '',
      'V1_10__d.sql': '',
      'V1.2__c.sql': '',
      'V1__a.sql': '',
      'V1_1__b.sql': '',
      'U1_1__b.sql': '',
    });
    expect(names(await discoverSet(root))).toEqual([
      'V1__a.sql',
      'V1_1__b.sql',
      'V1.2__c.sql',
      'V1_10__d.sql',
      'R__a.sql',
      'R__b.sql',
    ]);
  });

  it('sorts Diesel migrations by version, the name before its first _ without -, whichever way it is written', async () => {
    const root = await tree({
      '00000000000000_diesel_initial_setup/up.sql': '',
      '2017-09-23-182408_add_crate_owner_invitations/up.sql': '',
      '2017-09-23-182408_add_crate_owner_invitations/down.sql': '',
      '20170804200817_add_email_table/up.sql': '',
      '2017-10-01-000000_b/up.sql': '',
      '20171001000000_a/up.sql': '',
      '20180101000000_last/up.sql': '',
    });
    const set = await discoverSet(root);
    expect(set.layout).toBe('diesel');
    expect(set.files.map((f) => basename(dirname(f.absPath)))).toEqual([
      '00000000000000_diesel_initial_setup',
      '20170804200817_add_email_table',
      '2017-09-23-182408_add_crate_owner_invitations',
      // the same version: by name
      '2017-10-01-000000_b',
      '20171001000000_a',
      '20180101000000_last',
    ]);
  });

  it('follows sqitch.plan, skipping pragmas and tags, with unplanned deploy scripts last', async () => {
    const plan = [
      '%syntax-version=1.0.0',
      '%project=p',
      '',
      'b 2024-01-01T00:00:00Z A <a@x> # B',
      '@v1 2024-01-02T00:00:00Z A <a@x>',
      'a [b] 2024-01-03T00:00:00Z A <a@x>',
      '',
    ].join('\n');
    const root = await tree({
      'sqitch.plan': plan,
      'deploy/a.sql': '',
      'deploy/b.sql': '',
      'deploy/0_new.sql': '',
      'revert/a.sql': '',
    });
    const set = await discoverSet(root);
    expect(set.layout).toBe('sqitch');
    expect(names(set)).toEqual(['b.sql', 'a.sql', '0_new.sql']);
  });

  it('sorts sqitch deploy scripts by name without a plan', async () => {
    const set = await discoverSet(await tree({ 'deploy/b.sql': '', 'deploy/a.sql': '' }));
    expect(set.layout).toBe('sqitch');
    expect(names(set)).toEqual(['a.sql', 'b.sql']);
  });
});

describe('transaction model', () => {
  it('runs a Flyway file of only non-transactional statements outside a transaction, comments aside', async () => {
    const only = [
      '/* run outside a transaction; see the runbook */',
      'CREATE UNIQUE INDEX CONCURRENTLY a_idx ON a (x); -- a comment; with a semicolon',
      'drop index concurrently if exists old_idx;',
      'REINDEX (VERBOSE) TABLE CONCURRENTLY a;',
      'VACUUM (ANALYZE) a;',
      "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';",
      'REFRESH MATERIALIZED VIEW CONCURRENTLY totals;',
    ].join('\n');
    const root = await tree({
      'V1__only.sql': only,
      'V2__mixed.sql': "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY b_idx ON b (x);\n",
      'V3__plain_index.sql': 'CREATE INDEX c_idx ON c (x);',
      'V4__comments_only.sql': '-- nothing yet\n',
    });
    expect((await discoverSet(root)).files.map((f) => f.transaction)).toEqual([
      'none',
      'per-file',
      'per-file',
      'per-file',
    ]);
  });

  it('honours diesel metadata, dbmate transaction:false and goose NO TRANSACTION only where they say false', async () => {
    const diesel = await tree({ 'a/up.sql': '', 'a/metadata.toml': 'run_in_transaction = true\n', 'b/up.sql': '' });
    expect((await discoverSet(diesel)).files.map((f) => f.transaction)).toEqual(['per-file', 'per-file']);
    const dbmate = await tree({
      '1_a.sql': '-- migrate:up transaction:true\n',
      '2_b.sql': '-- migrate:up\n-- migrate:down transaction:false\n',
    });
    expect((await discoverSet(dbmate)).files.map((f) => f.transaction)).toEqual(['per-file', 'per-file']);
  });

  it('takes a dbmate transaction:false migration as one query string: one implicit transaction, no CONCURRENTLY beside another statement', async () => {
    const root = await tree({
      '1_a.sql': '-- migrate:up transaction:false\nCREATE TABLE a (x int);\nCREATE INDEX CONCURRENTLY a_x ON a (x);\n',
    });
    expect((await discoverSet(root)).files.map((f) => f.transaction)).toEqual(['implicit']);
    const { result } = await lint({ paths: [root], rules });
    expect(result.files[0]!.findings.map((f) => f.rule)).toContain('concurrently-in-transaction');
  });

  it('runs a goose NO TRANSACTION file whose up section is one StatementBegin … StatementEnd block as one query string', async () => {
    const block =
      '-- +goose StatementBegin\nCREATE TABLE a (x int);\nCREATE INDEX a_x ON a (x);\n-- +goose StatementEnd\n';
    const root = await tree({
      '1_block.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${block}\n-- +goose Down\n-- +goose StatementBegin\nDROP TABLE a;\n-- +goose StatementEnd\n`,
      '2_outside.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${block}CREATE INDEX CONCURRENTLY a_y ON a (x);\n`,
      '3_two_blocks.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${block}${block}`,
      '4_plain.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY a_z ON a (x);\n',
      '5_wrapped.sql': `-- +goose Up\n${block}`,
    });
    expect((await discoverSet(root)).files.map((f) => f.transaction)).toEqual([
      'implicit',
      'none',
      'none',
      'none',
      'per-file',
    ]);
  });
});

describe('forward text', () => {
  it('blanks a down section byte for byte, so offsets match a non-ASCII file with CRLF line ends', async () => {
    const raw = '-- migrate:up\r\nCREATE TABLE "café" (x int);\r\n-- migrate:down\r\nDROP TABLE "café"; -- ünïcode\r\n';
    const [file] = (await discoverSet(await tree({ '20240101000000_cafe.sql': raw }))).files;
    expect(Buffer.byteLength(file!.text)).toBe(Buffer.byteLength(raw));
    expect(file!.text.split('\r\n')).toEqual([
      ' '.repeat(13),
      'CREATE TABLE "café" (x int);',
      ' '.repeat(15),
      ' '.repeat(Buffer.byteLength('DROP TABLE "café"; -- ünïcode')),
      '',
    ]);
  });

  it('keeps goose text before the Up marker and after a Down section that comes first', async () => {
    const raw = '-- header\n-- +goose Down\nDROP TABLE t;\n-- +goose Up\nCREATE TABLE t (x int);\n';
    const [file] = (await discoverSet(await tree({ '1_t.sql': raw }))).files;
    expect(file!.text).toBe('-- header\n              \n             \n            \nCREATE TABLE t (x int);\n');
  });
});

describe('fileInSet', () => {
  it('makes a file that fits no layout a plain set of its own directory', async () => {
    const root = await tree({ 'V1__a.sql': '', 'notes.sql': 'SELECT 1;' });
    const found = await fileInSet(join(root, 'notes.sql'));
    expect(found?.set.layout).toBe('plain');
    expect(found?.set.root).toBe(root);
    expect(found?.file).toMatchObject({
      absPath: join(root, 'notes.sql'),
      text: 'SELECT 1;',
      transaction: 'none',
      layout: 'plain',
    });
  });

  it('shows a path as relative() judges it: below the working directory from there, the directory as ., others absolute', () => {
    const discovery = new Discovery('/work/app');
    expect(discovery.display('/work/app/db/1_a.sql')).toBe(join('db', '1_a.sql'));
    expect(discovery.display('/work/app')).toBe('.');
    expect(discovery.display('/work/application/1_a.sql')).toBe('/work/application/1_a.sql');
    expect(discovery.display('/work')).toBe('/work');
    expect(discovery.display('/other/1_a.sql')).toBe('/other/1_a.sql');
  });

  it('shows paths outside the working directory as absolute', async () => {
    const root = await tree({ '1_a.sql': '' });
    expect((await fileInSet(join(root, '1_a.sql')))?.file.path).toBe(join(root, '1_a.sql'));
  });

  it("shows and resolves paths from the run's working directory, not the process's", async () => {
    const root = await tree({ 'db/1_a.sql': '', 'db/2_b.sql': '' });
    const discovery = new Discovery(root);
    expect((await discoverSet('db', undefined, discovery)).files.map((f) => f.path)).toEqual([
      join('db', '1_a.sql'),
      join('db', '2_b.sql'),
    ]);
    expect((await fileInSet('db/2_b.sql', undefined, discovery))?.file).toMatchObject({
      path: join('db', '2_b.sql'),
      absPath: join(root, 'db', '2_b.sql'),
    });
    await expect(fileInSet('db/3_c.sql', undefined, discovery)).rejects.toThrow(
      new InputError(`${join('db', '3_c.sql')}: no such file`),
    );
  });

  it('places a migration of a history kept one level up by its root', async () => {
    const root = await tree({ 'x/up.sql': '', 'y/up.sql': '', 'y/down.sql': '' });
    const found = await fileInSet(join(root, 'y/up.sql'));
    expect(found?.set).toMatchObject({ root, layout: 'diesel' });
    expect(names(found!.set)).toEqual(['up.sql', 'up.sql']);
    expect(await fileInSet(join(root, 'y/down.sql'))).toBeUndefined();
  });

  it('throws an InputError for a file that does not exist', async () => {
    const root = await tree({});
    await expect(fileInSet(join(root, 'missing.sql'))).rejects.toThrow(
      new InputError(`${join(root, 'missing.sql')}: no such file`),
    );
  });
});

describe('input errors', () => {
  it('names a directory with no SQL migration and the fix', async () => {
    const root = await tree({ 'README.md': '' });
    await expect(discoverSet(root)).rejects.toThrow(
      new InputError(
        `${root}: no SQL migrations found (looked for *.sql files); pass the directory that holds the migration files`,
      ),
    );
  });

  it('names what the layout expects when a marked directory is empty or the layout is named', async () => {
    await expect(discoverSet(await tree({ 'migration_lock.toml': '' }))).rejects.toThrow(
      /looked for Prisma <migration>\/migration.sql files/,
    );
    await expect(discoverSet(join(fixtures, 'diesel'), 'flyway')).rejects.toThrow(
      /fixtures\/diesel: no SQL migrations found for the flyway layout \(looked for Flyway V<version>__<description>.sql files\); found 5 files of the diesel layout: pass --layout diesel$/,
    );
  });

  it('names a directory that does not exist', async () => {
    const missing = join(await tree({}), 'nope');
    await expect(discoverSet(missing)).rejects.toThrow(new InputError(`${missing}: no such directory`));
    await expect(discoverSet(missing)).rejects.toBeInstanceOf(InputError);
  });

  it('names a file that cannot be read', async () => {
    const root = await tree({});
    await symlink(join(root, 'gone.sql'), join(root, '0001_dangling.sql'));
    await expect(discoverSet(root)).rejects.toThrow(new InputError(`${join(root, '0001_dangling.sql')}: no such file`));
  });
});

it('tells forward migration files from down files by name', () => {
  const forward = [
    'm/0001_a.sql',
    'm/V1__a.sql',
    'm/R__v.sql',
    'm/1_a.up.sql',
    'm/x/migration.sql',
    'm/x/up.sql',
    'deploy/a.sql',
    'db/20240101_a.sql',
  ];
  const other = [
    'm/1_a.down.sql',
    'm/x/down.sql',
    'revert/a.sql',
    'verify/a.sql',
    'm/U1__a.sql',
    'm/x/metadata.toml',
    'README.md',
  ];
  expect(forward.filter((f) => !isForwardMigration(f))).toEqual([]);
  expect(other.filter((f) => isForwardMigration(f))).toEqual([]);
});
