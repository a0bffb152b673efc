// Discovery over the fixture history of every layout: detection, order, forward files,
// transaction model, blanked down sections, and the set of one file in the middle.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { discoverSet, fileInSet, isForwardMigration, LAYOUTS, type LayoutName } from '../../src/discover/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface Case {
  layout: LayoutName;
  /** forward files relative to the fixture root, in apply order, with their transaction model */
  forward: [string, 'per-file' | 'implicit' | 'none'][];
  downs: string[];
  /** up and down markers of layouts that keep both in one file */
  sections?: { up: RegExp; down: RegExp };
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
    downs: ['000001_create_users.down.sql', '000003_add_users_phone.down.sql', '000005_rename_users_name.down.sql'],
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
    downs: ['2024-01-05-120000_create_users/down.sql', '2024-02-10-080000_drop_users_nickname/down.sql'],
  },
  {
    layout: 'dbmate',
    forward: [
      ['20240105120000_create_users.sql', 'per-file'],
      ['20240112093000_create_orders.sql', 'per-file'],
      ['20240120161500_index_orders_user_id.sql', 'none'],
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
    downs: ['revert/users.sql', 'verify/orders.sql', 'revert/orders_user_id_index.sql'],
  },
];

it('has a fixture for every layout', () => {
  expect(cases.map((c) => c.layout).sort()).toEqual([...LAYOUTS].sort());
});

describe.each(cases)('$layout fixture', ({ layout, forward, sections }) => {
  const root = join(fixtures, layout);

  it('is detected, with its forward files in apply order and their transaction model', async () => {
    const set = await discoverSet(root);
    expect(set.root).toBe(root);
    expect(set.layout).toBe(layout);
    expect(set.files.map((f) => [relative(root, f.absPath), f.transaction])).toEqual(forward);
    for (const file of set.files) {
      expect(file.layout).toBe(layout);
      expect(file.path).toBe(relative(process.cwd(), file.absPath));
    }
  });

  it('gives the same set when the layout is named', async () => {
    expect(await discoverSet(root, layout)).toEqual(await discoverSet(root));
  });

  it(sections ? 'blanks marker lines and down sections, keeping every offset' : 'keeps the forward text as on disk', async () => {
    for (const file of (await discoverSet(root)).files) {
      const raw = await readFile(file.absPath, 'utf8');
      if (!sections) {
        expect(file.text).toBe(raw);
        continue;
      }
      const marker = raw.search(sections.up);
      const upStart = raw.indexOf('\n', marker) + 1;
      const downStart = raw.search(sections.down);
      expect(marker).toBeGreaterThanOrEqual(0);
      expect(downStart).toBeGreaterThan(upStart);
      expect(file.text.length).toBe(raw.length);
      expect(file.text.slice(0, marker)).toBe(raw.slice(0, marker));
      expect(file.text.slice(marker, upStart)).toMatch(/^ +\n$/);
      expect(file.text.slice(upStart, downStart)).toBe(raw.slice(upStart, downStart));
      expect(file.text.slice(downStart)).toBe(raw.slice(downStart).replace(/[^\n]/g, ' '));
    }
  });

  it('places a file in the middle of the history', async () => {
    const [rel] = forward[2]!;
    const found = await fileInSet(join(root, rel));
    const set = await discoverSet(root);
    expect(found?.set).toEqual(set);
    expect(found?.file).toEqual(set.files[2]);
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

it.each(cases.filter((c) => c.downs.length > 0))('never lints the down files of the $layout fixture', async ({ layout, downs }) => {
  for (const rel of downs) {
    const path = join(fixtures, layout, rel);
    expect(await fileInSet(path)).toBeUndefined();
    expect(isForwardMigration(path)).toBe(false);
  }
});

it('leaves the DROP TABLE of down sections out of every forward text', async () => {
  for (const layout of ['dbmate', 'goose'] as const) {
    const { files } = await discoverSet(join(fixtures, layout));
    expect(files.filter((file) => /DROP TABLE|migrate:down|goose Down/.test(file.text))).toEqual([]);
  }
});
