// A migration is the unit the tool applies: files that share one see what its earlier files
// created, a file of several migrations (Liquibase) is linted one changeset at a time and
// reported as one file, and down files never reach the rules.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { lint } from '../../src/lint/lint.js';
import { tempTree as tree } from '../helpers/cli.js';

/** `file rule@line:column` of every finding of the given rules. */
async function findings(
  paths: string[],
  cwd: string,
  ids: string[],
  layout?: Parameters<typeof lint>[0]['layout'],
): Promise<string[]> {
  const { result } = await lint({ paths, cwd, rules, ...(layout && { layout }) });
  return result.files.flatMap((f) =>
    f.findings
      .filter((x) => ids.includes(x.rule))
      .map((x) => `${f.path} ${x.rule}@${x.location.line}:${x.location.column}`),
  );
}

const CREATE = 'CREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL);\n';
const INDEX = 'CREATE INDEX products_sku_idx ON products (sku);\n';
const BLOCKING = ['create-index-non-concurrently'];

describe('files that share a version are one migration', () => {
  it('version folders: an index on a table a sibling file of the version created blocks no one; one of an earlier version does', async () => {
    const root = tree({
      '2/01_products.up.sql': CREATE,
      '2/02_index.up.sql': INDEX,
      '3/01_index_again.up.sql': 'CREATE INDEX products_id_sku ON products (id, sku);\n',
    });
    expect(await findings(['.'], root, BLOCKING)).toEqual([
      '3/01_index_again.up.sql create-index-non-concurrently@1:1',
    ]);
  });

  it('the same two files as two migrations report the index', async () => {
    const root = tree({ '2/01_products.up.sql': CREATE, '3/01_index.up.sql': INDEX });
    expect(await findings(['.'], root, BLOCKING)).toEqual(['3/01_index.up.sql create-index-non-concurrently@1:1']);
  });

  it('pop: the parts of one version share what they create', async () => {
    const root = tree({
      '20240101000000000000_products.postgres.up.sql': CREATE,
      '20240101000000000001_products.postgres.up.sql': INDEX,
      '20240102000000000000_more.postgres.up.sql': 'CREATE INDEX products_id_sku ON products (id, sku);\n',
    });
    expect(await findings(['.'], root, BLOCKING)).toEqual([
      '20240102000000000000_more.postgres.up.sql create-index-non-concurrently@1:1',
    ]);
  });

  it('a later file of a migration linted on its own still knows what the earlier files created', async () => {
    const root = tree({ '2/01_products.up.sql': CREATE, '2/02_index.up.sql': INDEX });
    expect(await findings(['2/02_index.up.sql'], root, BLOCKING)).toEqual([]);
    const split = tree({
      '20240101000000000000_p.postgres.up.sql': CREATE,
      '20240101000000000001_p.postgres.up.sql': INDEX,
    });
    expect(await findings(['20240101000000000001_p.postgres.up.sql'], split, BLOCKING)).toEqual([]);
  });
});

describe('Liquibase changesets', () => {
  const changelog = [
    '--liquibase formatted sql',
    '',
    '--changeset shop:1',
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);',
    '',
    '--changeset shop:2 runInTransaction:false',
    'CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);',
    '',
    '--changeset shop:3',
    'CREATE INDEX CONCURRENTLY orders_id_user_id_idx ON orders (id, user_id);',
    '--rollback DROP INDEX orders_id_user_id_idx;',
    '',
  ].join('\n');

  it('runs each changeset as Liquibase does: CONCURRENTLY fails only in the one that keeps its transaction', async () => {
    const root = tree({ 'changes/orders.sql': changelog });
    expect(await findings(['.'], root, ['concurrently-in-transaction'])).toEqual([
      `${join('changes', 'orders.sql')} concurrently-in-transaction@10:1`,
    ]);
  });

  it('reports a file of several changesets once, its statements numbered through the file', async () => {
    const root = tree({ 'changes/orders.sql': changelog });
    const { result } = await lint({ paths: ['.'], cwd: root, rules });
    expect(result.files.map((f) => f.path)).toEqual([join('changes', 'orders.sql')]);
    expect(result.files[0]!.statements.map((s) => [s.index, s.location.line])).toEqual([
      [0, 4],
      [1, 7],
      [2, 10],
    ]);
    expect(result.summary.files).toBe(1);
  });
});

describe('ignore comments at the head of a Liquibase file', () => {
  /** `rule@line` of each finding of a Liquibase file of these lines. */
  const liquibase = async (lines: string[]): Promise<string[]> => {
    const root = tree({ 'changes/users.sql': [...lines, ''].join('\n') });
    const { result } = await lint({ paths: ['.'], cwd: root, rules });
    return result.files[0]!.findings.map((f) => `${f.rule}@${f.location.line}`);
  };

  it('apply to every changeset, and one is unused only when no changeset used it', async () => {
    expect(
      await liquibase([
        '--liquibase formatted sql',
        '-- pgphase-ignore-file drop-column: the column was unused since release 12',
        '-- pgphase-ignore-file truncate: never truncated here',
        '--changeset shop:1',
        'CREATE TABLE users (id bigint PRIMARY KEY, nick text, name text);',
        '--changeset shop:2',
        "SET lock_timeout = '2s';",
        'ALTER TABLE users DROP COLUMN nick;',
        '--changeset shop:3',
        "SET lock_timeout = '2s';",
        'ALTER TABLE users DROP COLUMN name;',
      ]),
    ).toEqual(['unused-ignore@3']);
  });

  it('an unused ignore inside one changeset is reported, though the other changesets do not see it', async () => {
    expect(
      await liquibase([
        '--liquibase formatted sql',
        '--changeset shop:1',
        'CREATE TABLE users (id bigint PRIMARY KEY, nick text);',
        '--changeset shop:2',
        "SET lock_timeout = '2s';",
        '-- pgphase-ignore drop-column: nothing reads nick',
        'ALTER TABLE users ADD COLUMN name text;',
      ]),
    ).toEqual(['unused-ignore@6']);
  });

  it("the head ends at the file's first changeset: an unused ignore in the first of several is reported", async () => {
    // the later changesets' entries have the first one blanked: their first changeset line is not the file's
    expect(
      await liquibase([
        '--liquibase formatted sql',
        '--changeset shop:1',
        '-- pgphase-ignore drop-column: nothing reads nick',
        'CREATE TABLE users (id bigint PRIMARY KEY, nick text);',
        '--changeset shop:2',
        'CREATE TABLE orders (id bigint PRIMARY KEY);',
      ]),
    ).toEqual(['unused-ignore@3']);
  });
});

describe('standard input linted as a file of a migration', () => {
  it('knows what the earlier files of its migration created, and runs each changeset of a Liquibase file as Liquibase does', async () => {
    const root = tree({ '2/01_products.up.sql': CREATE, '2/02_index.up.sql': '' });
    const sibling = await lint({ paths: [], cwd: root, rules, stdin: { filename: '2/02_index.up.sql', text: INDEX } });
    expect(sibling.result.files.flatMap((f) => f.findings.map((x) => x.rule))).not.toContain(
      'create-index-non-concurrently',
    );

    // on disk, the file as last saved: one changeset
    const changelog = tree({
      'changes/orders.sql':
        '--liquibase formatted sql\n--changeset shop:1\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n',
    });
    const text = [
      '--liquibase formatted sql',
      '--changeset shop:1',
      'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);',
      '--changeset shop:2 runInTransaction:false',
      'CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);',
      '--changeset shop:3',
      'CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id, user_id);',
      '',
    ].join('\n');
    const { result, sources } = await lint({
      paths: [],
      cwd: changelog,
      rules,
      stdin: { filename: 'changes/orders.sql', text },
    });
    expect(result.files.map((f) => f.path)).toEqual([join('changes', 'orders.sql')]);
    expect(
      result.files[0]!.findings.filter((x) => x.rule === 'concurrently-in-transaction').map((x) => x.location.line),
    ).toEqual([7]);
    // the code frame's text is the file's, every changeset in place
    expect(sources.get(join('changes', 'orders.sql'))).toBe(text);
  });
});

describe('down files', () => {
  it('never reach the rules in a plain directory, nor when named on the command line', async () => {
    const root = tree({
      '0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      '0002_name.sql': "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nick text;\n",
      '0002_name.down.sql': 'ALTER TABLE users DROP COLUMN nick;\n',
      '0002_name_down.sql': 'ALTER TABLE users DROP COLUMN nick;\n',
    });
    const { result } = await lint({ paths: ['.'], cwd: root, rules });
    expect(result.files.map((f) => f.path)).toEqual(['0001_users.sql', '0002_name.sql']);
    expect((await lint({ paths: ['0002_name.down.sql'], cwd: root, rules })).result.files).toEqual([]);
  });
});

it('a plan directory beside the migrations is not part of the history', async () => {
  const root = tree({
    '001.sql': CREATE,
    '002/plan.json': '{}',
    '002/1-expand.sql': 'CREATE INDEX CONCURRENTLY products_sku_idx ON products (sku);\n',
    '002.sql': INDEX,
  });
  expect(await findings(['.'], root, BLOCKING)).toEqual(['002.sql create-index-non-concurrently@1:1']);
});

it('--layout reads a directory the way the named tool does', async () => {
  // detected as plain, each file its own migration; read as version folders, one migration
  const root = tree({ '2/01_products.sql': CREATE, '2/02_index.sql': INDEX });
  expect(await findings(['.'], root, BLOCKING, 'version-dirs')).toEqual([]);
});
