// Discovery over the fixture history of every layout: detection, order, forward files,
// transaction model, blanked down sections, and the set of one file in the middle.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { discoverSet, fileInSet, isForwardMigration, LAYOUTS, type LayoutName } from '../../src/discover/index.js';
import { goTemplateText } from '../../src/discover/layouts.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface Case {
  layout: LayoutName;
  /** forward files relative to the fixture root, in apply order, with their transaction model (and migration, where files share one or a file holds several) */
  forward: ([string, 'per-file' | 'implicit' | 'none'] | [string, 'per-file' | 'implicit' | 'none', string])[];
  /** down files, and files for other databases, that discovery skips */
  downs: string[];
  /** up and down markers of layouts that keep both in one file */
  sections?: { up: RegExp; down: RegExp };
  /** the tool runs every pending migration in one transaction */
  pending?: boolean;
}

const cases: Case[] = [
  {
    layout: 'plain',
    forward: [
      ['0001_create_users.sql', 'none'],
      ['0002_create_products.sql', 'none'],
      ['0003_create_orders.sql', 'none'],
      ['0004_add_users_phone.sql', 'none'],
      ['0005_index_orders_user_id.sql', 'none'],
      ['0006_orders_status_not_null.sql', 'none'],
    ],
    downs: ['0004_add_users_phone.down.sql', '0006_orders_status_not_null.rollback.sql'],
  },
  {
    layout: 'up-down',
    forward: [
      ['V0001.CreateUsers.up.sql', 'implicit', '1'],
      ['V0002.CreateOrders.up.sql', 'implicit', '2'],
      ['V0003.AddUsersPhone.up.sql', 'implicit', '3'],
      ['V0004.IndexOrdersCreatedAt.up.sql', 'implicit', '4'],
      ['V0005.DropUsersName.up.sql', 'implicit', '5'],
    ],
    downs: [
      'V0001.CreateUsers.down.sql',
      'V0002.CreateOrders.down.sql',
      'V0003.AddUsersPhone.down.sql',
      'V0004.IndexOrdersCreatedAt.down.sql',
      'V0005.DropUsersName.down.sql',
    ],
  },
  {
    layout: 'version-dirs',
    // versions as numbers (10 after 2), files of a version by name, one migration per version
    forward: [
      ['0/01_create_users.up.sql', 'implicit', '0'],
      ['0/02_create_orders.up.sql', 'implicit', '0'],
      ['2/01_create_products.up.sql', 'implicit', '2'],
      ['2/02_index_products_sku.up.sql', 'implicit', '2'],
      ['10/01_index_orders_user_id.up.sql', 'implicit', '10'],
    ],
    downs: [
      '0/01_create_users.down.sql',
      '0/02_create_orders.down.sql',
      '10/01_index_orders_user_id.down.sql',
      '2/02_index_products_sku.down.sql',
    ],
  },
  {
    layout: 'pop',
    // the two parts of 20240112093000 are one migration; MySQL and SQLite files are not PostgreSQL's
    forward: [
      ['20240105120000000000_users.up.sql', 'per-file', '20240105120000'],
      ['20240112093000000000_orders.postgres.up.sql', 'per-file', '20240112093000'],
      ['20240112093000000001_orders.postgres.up.sql', 'per-file', '20240112093000'],
      ['20240120161500000000_users_email_lower.postgres.autocommit.up.sql', 'none', '20240120161500'],
      ['20240202110000000000_orders_created_at.postgres.up.sql', 'per-file', '20240202110000'],
    ],
    downs: [
      '20240105120000000000_users.down.sql',
      '20240112093000000000_orders.mysql.up.sql',
      '20240112093000000000_orders.postgres.down.sql',
      '20240112093000000001_orders.mysql.up.sql',
      '20240112093000000001_orders.postgres.down.sql',
      '20240120161500000000_users_email_lower.postgres.autocommit.down.sql',
      '20240202110000000000_orders_created_at.postgres.down.sql',
      '20240202110000000000_orders_created_at.sqlite3.up.sql',
    ],
  },
  {
    layout: 'drizzle',
    forward: [
      ['0000_create_users.sql', 'per-file', '0000_create_users'],
      ['0001_create_orders.sql', 'per-file', '0001_create_orders'],
      ['0002_users_phone.sql', 'per-file', '0002_users_phone'],
      ['0003_users_status.sql', 'per-file', '0003_users_status'],
    ],
    downs: [],
    pending: true,
  },
  {
    layout: 'node-pg-migrate',
    forward: [
      ['1704456000000_create-users.sql', 'per-file'],
      ['1705051800000_create-orders.sql', 'per-file'],
      ['1705764900000_users-phone.sql', 'per-file'],
      ['1706871600000_orders-user-not-null.sql', 'per-file'],
    ],
    downs: [],
    sections: { up: /^-- Up Migration$/m, down: /^-- Down Migration/m },
    pending: true,
  },
  {
    layout: 'liquibase',
    // the master changelog's order, one migration per changeset; shop:4 is for Oracle only
    forward: [
      ['changes/users.sql', 'per-file', 'shop:1'],
      ['changes/users.sql', 'per-file', 'shop:2'],
      ['changes/orders.sql', 'per-file', 'shop:3'],
      ['changes/indexes.sql', 'none', 'shop:5'],
      ['changes/indexes.sql', 'per-file', 'shop:6'],
    ],
    downs: [],
  },
  {
    layout: 'atlas',
    forward: [
      ['20240105120000_create_users.sql', 'per-file'],
      ['20240112093000_create_orders.sql', 'per-file'],
      ['20240120161500_index_orders_user_id.sql', 'none'],
      ['20240202110000_orders_total_bigint.sql', 'per-file'],
    ],
    downs: [],
  },
  {
    layout: 'temporal-sql-tool',
    // versions as semver (v1.10 after v1.2), a version's files in its manifest's order, each statement on its own
    forward: [
      ['v1.0/schema.sql', 'none', 'v1.0'],
      ['v1.1/products.sql', 'none', 'v1.1'],
      ['v1.2/orders_status.sql', 'none', 'v1.2'],
      ['v1.2/index_orders_status.sql', 'none', 'v1.2'],
      ['v1.10/index_orders_user_id.sql', 'none', 'v1.10'],
    ],
    downs: [],
  },
  {
    layout: 'tern',
    // by number, each in a transaction unless disable-tx; the SQL below the separator is the down migration
    forward: [
      ['001_create_users.sql', 'per-file'],
      ['002_create_orders.sql', 'per-file'],
      ['003_index_orders_user_id.sql', 'none'],
      ['004_add_users_phone.sql', 'per-file'],
    ],
    downs: [],
    sections: { up: /(?!)/, down: /^---- create above \/ drop below ----/m },
  },
  {
    layout: 'sqlx',
    // a crate that depends on sqlx: each migration in a transaction, unless it begins with -- no-transaction
    forward: [
      ['20240105120000_create_users.sql', 'per-file'],
      ['20240112093000_create_orders.sql', 'per-file'],
      ['20240120161500_index_orders_user_id.sql', 'implicit'],
      ['20240202110000_add_users_phone.sql', 'per-file'],
      ['20240210080000_index_users_phone.sql', 'per-file'],
    ],
    downs: [],
  },
  {
    layout: 'supabase',
    forward: [
      ['migrations/20240105120000_create_users.sql', 'implicit'],
      ['migrations/20240112093000_create_orders.sql', 'implicit'],
      ['migrations/20240120161500_users_phone.sql', 'implicit'],
      ['migrations/20240202110000_orders_total_not_null_check.sql', 'implicit'],
    ],
    downs: [],
  },
  {
    layout: 'flyway',
    forward: [
      ['V1__create_users.sql', 'per-file'],
      ['V1.1__create_products_and_orders.sql', 'per-file'],
      ['V1.2__add_users_phone.sql', 'per-file'],
      ['V1.10__index_orders.sql', 'none'],
      ['V2__drop_users_nickname.sql', 'per-file'],
      ['R__order_totals_view.sql', 'per-file'],
    ],
    downs: ['U1.2__add_users_phone.sql'],
  },
  {
    layout: 'golang-migrate',
    forward: [
      ['000001_create_users.up.sql', 'implicit'],
      ['000002_create_products_and_orders.up.sql', 'implicit'],
      ['000003_add_users_phone.up.sql', 'implicit'],
      ['000004_index_orders_user_id.up.sql', 'implicit'],
      ['000005_rename_users_name.up.sql', 'implicit'],
    ],
    downs: [1, 2, 3, 4, 5].map(
      (n) =>
        `00000${n}_${['create_users', 'create_products_and_orders', 'add_users_phone', 'index_orders_user_id', 'rename_users_name'][n - 1]}.down.sql`,
    ),
  },
  {
    layout: 'prisma',
    forward: [
      ['20240105120000_init/migration.sql', 'implicit'],
      ['20240112093000_add_orders/migration.sql', 'implicit'],
      ['20240120161500_add_user_phone/migration.sql', 'implicit'],
      ['20240202110000_order_status_required/migration.sql', 'implicit'],
      ['20240210080000_index_order_user_id/migration.sql', 'implicit'],
    ],
    downs: [],
  },
  {
    layout: 'diesel',
    forward: [
      ['2024-01-05-120000_create_users/up.sql', 'per-file'],
      ['2024-01-12-093000_create_orders/up.sql', 'per-file'],
      ['2024-01-20-161500_index_orders_user_id/up.sql', 'none'],
      ['2024-02-02-110000_orders_status_not_null/up.sql', 'per-file'],
      ['2024-02-10-080000_drop_users_nickname/up.sql', 'per-file'],
    ],
    downs: [
      '2024-01-05-120000_create_users/down.sql',
      '2024-01-12-093000_create_orders/down.sql',
      '2024-01-20-161500_index_orders_user_id/down.sql',
      '2024-02-02-110000_orders_status_not_null/down.sql',
      '2024-02-10-080000_drop_users_nickname/down.sql',
    ],
  },
  {
    layout: 'dbmate',
    forward: [
      ['20240105120000_create_users.sql', 'per-file'],
      ['20240112093000_create_orders.sql', 'per-file'],
      ['20240120161500_index_orders_user_id.sql', 'implicit'],
      ['20240202110000_add_users_phone.sql', 'per-file'],
      ['20240210080000_rename_users_name.sql', 'per-file'],
    ],
    downs: [],
    sections: { up: /^-- migrate:up.*$/m, down: /^-- migrate:down/m },
  },
  {
    layout: 'goose',
    forward: [
      ['20240105120000_create_users.sql', 'per-file'],
      ['20240112093000_create_orders.sql', 'per-file'],
      ['20240120161500_index_orders_created_at.sql', 'none'],
      ['20240202110000_drop_users_legacy_role.sql', 'per-file'],
      ['20240210080000_add_orders_currency.sql', 'per-file'],
    ],
    downs: [],
    sections: { up: /^-- \+goose Up$/m, down: /^-- \+goose Down/m },
  },
  {
    layout: 'sqitch',
    // plan order, not the alphabet
    forward: [
      ['deploy/users.sql', 'none'],
      ['deploy/products.sql', 'none'],
      ['deploy/orders.sql', 'none'],
      ['deploy/users_phone.sql', 'none'],
      ['deploy/orders_user_id_index.sql', 'none'],
    ],
    downs: ['revert', 'verify'].flatMap((dir) =>
      ['orders', 'orders_user_id_index', 'products', 'users', 'users_phone'].map((change) => `${dir}/${change}.sql`),
    ),
  },
];

it('has a fixture for every layout', () => {
  expect(cases.map((c) => c.layout).sort()).toEqual([...LAYOUTS].sort());
});

describe.each(cases)('$layout fixture', ({ layout, forward, downs, sections, pending }) => {
  const root = join(fixtures, layout);

  it('is detected, with its forward files in apply order, their transaction model and migration, and its skipped files', async () => {
    const set = await discoverSet(root);
    expect(set.root).toBe(root);
    expect(set.layout).toBe(layout);
    expect(set.files.map((f) => [relative(root, f.absPath), f.transaction, f.migration])).toEqual(
      forward.map(([rel, tx, migration]) => [rel, tx, migration ?? rel]),
    );
    expect(set.skipped.map((f) => relative(root, f.absPath)).sort()).toEqual([...downs].sort());
    expect(set.pendingInOneTransaction).toBe(pending === true);
    for (const file of set.files) {
      expect(file.layout).toBe(layout);
      expect(file.path).toBe(relative(process.cwd(), file.absPath));
    }
  });

  it('gives the same set when the layout is named', async () => {
    expect(await discoverSet(root, layout)).toEqual(await discoverSet(root));
  });

  it(
    sections ? 'blanks marker lines and down sections, keeping every offset' : 'keeps the forward text as on disk',
    async () => {
      for (const file of (await discoverSet(root)).files) {
        const raw = await readFile(file.absPath, 'utf8');
        if (layout === 'liquibase') {
          // the file's head and a changeset's own lines as on disk, the other changesets blanked byte for byte
          const head = raw.indexOf('--changeset');
          const start = raw.indexOf(`--changeset ${file.migration}`);
          const end = raw.indexOf('--changeset', start + 1) < 0 ? raw.length : raw.indexOf('--changeset', start + 1);
          expect(file.text.slice(0, head)).toBe(raw.slice(0, head));
          expect(file.text.slice(start, end)).toBe(raw.slice(start, end));
          expect(file.text.slice(head, start) + file.text.slice(end)).toBe(
            (raw.slice(head, start) + raw.slice(end)).replace(/[^\n]/g, ' '),
          );
          continue;
        }
        if (!sections) {
          expect(file.text).toBe(raw);
          continue;
        }
        // tern has no up marker: its up section is the file's start (with its Go templates rendered)
        const marker = layout === 'tern' ? 0 : raw.search(sections.up);
        const upStart = layout === 'tern' ? 0 : raw.indexOf('\n', marker) + 1;
        const downStart = raw.search(sections.down);
        expect(marker).toBeGreaterThanOrEqual(0);
        expect(downStart).toBeGreaterThan(upStart);
        expect(file.text.length).toBe(raw.length);
        expect(file.text.slice(0, marker)).toBe(raw.slice(0, marker));
        expect(file.text.slice(marker, upStart)).toMatch(/^( +\n)?$/);
        const up = raw.slice(upStart, downStart);
        expect(file.text.slice(upStart, downStart)).toBe(layout === 'tern' ? goTemplateText(up) : up);
        expect(file.text.slice(downStart)).toBe(raw.slice(downStart).replace(/[^\n]/g, ' '));
      }
    },
  );

  it('places a file in the middle of the history', async () => {
    const [rel] = forward[2]!;
    const found = await fileInSet(join(root, rel));
    const set = await discoverSet(root);
    expect(found?.set).toEqual(set);
    expect(found?.file).toEqual(set.files.find((f) => relative(root, f.absPath) === rel));
    expect(await fileInSet(join(root, rel), layout)).toEqual(found);
  });

  it('calls every forward file a forward migration', () => {
    for (const [rel] of forward) expect(isForwardMigration(join(root, rel))).toBe(true);
  });

  it('holds SQL that the PostgreSQL grammar accepts', async () => {
    await loadModule();
    for (const file of (await discoverSet(root)).files) expect(() => parseSync(file.text), file.path).not.toThrow();
  });
});

it.each(cases.filter((c) => c.downs.length > 0))(
  'never lints the down (or other database) files of the $layout fixture',
  async ({ layout, downs }) => {
    for (const rel of downs) {
      const path = join(fixtures, layout, rel);
      expect(await fileInSet(path)).toBeUndefined();
      expect(isForwardMigration(path)).toBe(false);
    }
  },
);

it('leaves the DROP TABLE of down sections out of every forward text', async () => {
  for (const layout of ['dbmate', 'goose', 'node-pg-migrate'] as const) {
    const { files } = await discoverSet(join(fixtures, layout));
    expect(files.filter((file) => /DROP TABLE|migrate:down|goose Down|Down Migration/.test(file.text))).toEqual([]);
  }
});
