// End to end: the CLI over one realistic migration history per layout, as CI would run it.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

interface Out {
  files: Array<{
    path: string;
    class: string;
    findings: Array<{ rule: string; location: { line: number; column: number } }>;
  }>;
  summary: { files: number; statements: number; errors: number; warnings: number };
}

/** Per layout: every linted file with its class and `rule@line:column` findings, and the summary. */
const EXPECTED: Record<string, { files: Array<[string, string, string[]]>; summary: Out['summary'] }> = {
  plain: {
    files: [
      ['0001_create_users.sql', 'additive', []],
      ['0002_create_products.sql', 'additive', []],
      [
        '0003_create_orders.sql',
        'additive',
        ['fk-missing-index@4:1', 'missing-lock-timeout@4:1', 'fk-missing-index@11:1', 'missing-lock-timeout@11:1'],
      ],
      ['0004_add_users_phone.sql', 'additive', ['missing-lock-timeout@2:1']],
      ['0005_index_orders_user_id.sql', 'additive', []],
      [
        '0006_orders_status_not_null.sql',
        'destructive',
        ['unbatched-data-change@2:1', 'missing-lock-timeout@3:1', 'set-not-null@3:1', 'set-not-null-scan@3:1'],
      ],
    ],
    summary: { files: 6, statements: 10, errors: 7, warnings: 2 },
  },
  flyway: {
    files: [
      ['V1__create_users.sql', 'additive', []],
      [
        'V1.1__create_products_and_orders.sql',
        'additive',
        ['fk-missing-index@8:1', 'missing-lock-timeout@8:1', 'fk-missing-index@14:1'],
      ],
      ['V1.2__add_users_phone.sql', 'additive', ['missing-lock-timeout@2:1']],
      ['V1.10__index_orders.sql', 'additive', []],
      ['V2__drop_users_nickname.sql', 'destructive', ['drop-column@2:1', 'missing-lock-timeout@2:1']],
      ['R__order_totals_view.sql', 'additive', []],
    ],
    summary: { files: 6, statements: 9, errors: 4, warnings: 2 },
  },
  'golang-migrate': {
    files: [
      ['000001_create_users.up.sql', 'additive', []],
      [
        '000002_create_products_and_orders.up.sql',
        'additive',
        ['fk-missing-index@8:1', 'fk-missing-index@8:1', 'missing-lock-timeout@8:1'],
      ],
      ['000003_add_users_phone.up.sql', 'additive', ['missing-lock-timeout@1:1']],
      ['000004_index_orders_user_id.up.sql', 'additive', []],
      ['000005_rename_users_name.up.sql', 'destructive', ['missing-lock-timeout@1:1', 'rename-column@1:1']],
    ],
    summary: { files: 5, statements: 6, errors: 4, warnings: 2 },
  },
  prisma: {
    files: [
      [
        '20240105120000_init/migration.sql',
        'additive',
        ['prefer-bigint@3:5', 'prefer-timestamptz@6:5', 'prefer-bigint@13:5'],
      ],
      [
        '20240112093000_add_orders/migration.sql',
        'additive',
        [
          'prefer-bigint@3:5',
          'prefer-timestamptz@7:5',
          'fk-missing-index@13:1',
          'missing-lock-timeout@13:1',
          'fk-missing-index@16:1',
          'missing-lock-timeout@16:1',
        ],
      ],
      ['20240120161500_add_user_phone/migration.sql', 'additive', ['missing-lock-timeout@2:1']],
      [
        '20240202110000_order_status_required/migration.sql',
        'additive',
        ['add-required-column@8:1', 'missing-lock-timeout@8:1'],
      ],
      ['20240210080000_index_order_user_id/migration.sql', 'additive', ['create-index-non-concurrently@2:1']],
    ],
    summary: { files: 5, statements: 10, errors: 6, warnings: 7 },
  },
  diesel: {
    files: [
      ['2024-01-05-120000_create_users/up.sql', 'additive', []],
      ['2024-01-12-093000_create_orders/up.sql', 'additive', ['fk-missing-index@1:1', 'missing-lock-timeout@1:1']],
      ['2024-01-20-161500_index_orders_user_id/up.sql', 'additive', []],
      [
        '2024-02-02-110000_orders_status_not_null/up.sql',
        'destructive',
        [
          'unbatched-data-change@2:1',
          'missing-lock-timeout@3:1',
          'mixed-ddl-and-dml@3:1',
          'set-not-null@3:1',
          'set-not-null-scan@3:1',
        ],
      ],
      ['2024-02-10-080000_drop_users_nickname/up.sql', 'destructive', ['drop-column@1:1', 'missing-lock-timeout@1:1']],
    ],
    summary: { files: 5, statements: 6, errors: 7, warnings: 2 },
  },
  dbmate: {
    files: [
      ['20240105120000_create_users.sql', 'additive', []],
      ['20240112093000_create_orders.sql', 'additive', ['fk-missing-index@2:1', 'missing-lock-timeout@2:1']],
      ['20240120161500_index_orders_user_id.sql', 'additive', []],
      ['20240202110000_add_users_phone.sql', 'additive', ['missing-lock-timeout@2:1']],
      ['20240210080000_rename_users_name.sql', 'destructive', ['missing-lock-timeout@2:1', 'rename-column@2:1']],
    ],
    summary: { files: 5, statements: 5, errors: 4, warnings: 1 },
  },
  goose: {
    files: [
      ['20240105120000_create_users.sql', 'additive', []],
      ['20240112093000_create_orders.sql', 'additive', ['fk-missing-index@2:1', 'missing-lock-timeout@2:1']],
      ['20240120161500_index_orders_created_at.sql', 'additive', []],
      ['20240202110000_drop_users_legacy_role.sql', 'destructive', ['drop-column@3:1', 'missing-lock-timeout@3:1']],
      [
        '20240210080000_add_orders_currency.sql',
        'additive',
        ['add-required-column@2:1', 'missing-lock-timeout@2:1', 'ban-char@2:31'],
      ],
    ],
    summary: { files: 5, statements: 7, errors: 5, warnings: 2 },
  },
  sqitch: {
    files: [
      ['deploy/users.sql', 'additive', []],
      ['deploy/products.sql', 'additive', []],
      ['deploy/orders.sql', 'additive', ['fk-missing-index@5:1', 'fk-missing-index@5:1', 'missing-lock-timeout@5:1']],
      ['deploy/users_phone.sql', 'additive', ['missing-lock-timeout@5:1']],
      ['deploy/orders_user_id_index.sql', 'additive', ['create-index-non-concurrently@5:1']],
    ],
    summary: { files: 5, statements: 15, errors: 3, warnings: 2 },
  },
  'up-down': {
    files: [
      ['V0001.CreateUsers.up.sql', 'additive', []],
      ['V0002.CreateOrders.up.sql', 'additive', []],
      ['V0003.AddUsersPhone.up.sql', 'additive', []],
      ['V0004.IndexOrdersCreatedAt.up.sql', 'additive', ['create-index-non-concurrently@2:1']],
      ['V0005.DropUsersName.up.sql', 'destructive', ['drop-column@2:1']],
    ],
    summary: { files: 5, statements: 8, errors: 2, warnings: 0 },
  },
  'version-dirs': {
    files: [
      ['0/01_create_users.up.sql', 'additive', []],
      ['0/02_create_orders.up.sql', 'additive', ['fk-missing-index@1:1']],
      ['2/01_create_products.up.sql', 'additive', []],
      ['2/02_index_products_sku.up.sql', 'additive', []],
      ['10/01_index_orders_user_id.up.sql', 'additive', ['create-index-non-concurrently@1:1']],
    ],
    summary: { files: 5, statements: 5, errors: 1, warnings: 1 },
  },
  pop: {
    files: [
      ['20240105120000000000_users.up.sql', 'additive', []],
      ['20240112093000000000_orders.postgres.up.sql', 'additive', []],
      ['20240112093000000001_orders.postgres.up.sql', 'additive', []],
      ['20240120161500000000_users_email_lower.postgres.autocommit.up.sql', 'additive', []],
      ['20240202110000000000_orders_created_at.postgres.up.sql', 'additive', ['create-index-non-concurrently@1:1']],
    ],
    summary: { files: 5, statements: 5, errors: 1, warnings: 0 },
  },
  drizzle: {
    files: [
      ['0000_create_users.sql', 'additive', []],
      ['0001_create_orders.sql', 'additive', ['missing-lock-timeout@7:1']],
      [
        '0002_users_phone.sql',
        'additive',
        ['missing-lock-timeout@1:1', 'create-index-non-concurrently@2:1', 'statements-after-exclusive-lock@2:1'],
      ],
      [
        '0003_users_status.sql',
        'destructive',
        [
          'missing-lock-timeout@1:1',
          'drop-column@2:1',
          'missing-lock-timeout@2:1',
          'statements-after-exclusive-lock@2:1',
        ],
      ],
    ],
    summary: { files: 4, statements: 8, errors: 6, warnings: 2 },
  },
  'node-pg-migrate': {
    files: [
      ['1704456000000_create-users.sql', 'additive', []],
      ['1705051800000_create-orders.sql', 'additive', []],
      ['1705764900000_users-phone.sql', 'additive', []],
      [
        '1706871600000_orders-user-not-null.sql',
        'data',
        [
          'drop-not-null@2:1',
          'missing-lock-timeout@2:1',
          'mixed-ddl-and-dml@3:1',
          'statements-after-exclusive-lock@3:1',
          'unbatched-data-change@3:1',
        ],
      ],
    ],
    summary: { files: 4, statements: 7, errors: 2, warnings: 3 },
  },
  liquibase: {
    files: [
      ['changes/users.sql', 'additive', []],
      ['changes/orders.sql', 'additive', []],
      ['changes/indexes.sql', 'destructive', ['drop-column@9:1', 'missing-lock-timeout@9:1']],
    ],
    summary: { files: 3, statements: 6, errors: 2, warnings: 0 },
  },
  atlas: {
    files: [
      ['20240105120000_create_users.sql', 'additive', []],
      ['20240112093000_create_orders.sql', 'additive', []],
      ['20240120161500_index_orders_user_id.sql', 'additive', []],
      [
        '20240202110000_orders_total_bigint.sql',
        'destructive',
        ['column-type-rewrite@2:1', 'missing-lock-timeout@2:1'],
      ],
    ],
    summary: { files: 4, statements: 4, errors: 2, warnings: 0 },
  },
  'temporal-sql-tool': {
    files: [
      ['v1.0/schema.sql', 'additive', []],
      ['v1.1/products.sql', 'additive', []],
      ['v1.2/orders_status.sql', 'additive', ['missing-lock-timeout@1:1']],
      // the tool runs it on its own, outside a transaction: CONCURRENTLY works
      ['v1.2/index_orders_status.sql', 'additive', []],
      ['v1.10/index_orders_user_id.sql', 'additive', ['create-index-non-concurrently@1:1']],
    ],
    summary: { files: 5, statements: 7, errors: 2, warnings: 0 },
  },
  tern: {
    files: [
      ['001_create_users.sql', 'additive', []],
      // the sample rows its config may load, between template actions
      ['002_create_orders.sql', 'data', ['fk-missing-index@1:1', 'missing-lock-timeout@1:1', 'mixed-ddl-and-dml@8:1']],
      ['003_index_orders_user_id.sql', 'additive', []],
      [
        '004_add_users_phone.sql',
        'additive',
        ['missing-lock-timeout@1:1', 'create-index-non-concurrently@2:1', 'statements-after-exclusive-lock@2:1'],
      ],
    ],
    summary: { files: 4, statements: 7, errors: 3, warnings: 3 },
  },
  sqlx: {
    files: [
      ['20240105120000_create_users.sql', 'additive', []],
      ['20240112093000_create_orders.sql', 'additive', ['fk-missing-index@1:1', 'missing-lock-timeout@1:1']],
      ['20240120161500_index_orders_user_id.sql', 'additive', []],
      ['20240202110000_add_users_phone.sql', 'additive', ['missing-lock-timeout@1:1']],
      // sqlx runs it in a transaction, where CONCURRENTLY fails
      ['20240210080000_index_users_phone.sql', 'additive', ['concurrently-in-transaction@1:1']],
    ],
    summary: { files: 5, statements: 5, errors: 3, warnings: 1 },
  },
  supabase: {
    files: [
      ['migrations/20240105120000_create_users.sql', 'additive', []],
      ['migrations/20240112093000_create_orders.sql', 'additive', ['missing-lock-timeout@1:1']],
      ['migrations/20240120161500_users_phone.sql', 'additive', ['missing-lock-timeout@1:1']],
      [
        'migrations/20240202110000_orders_total_not_null_check.sql',
        'additive',
        ['add-check-constraint@1:1', 'add-check-validated@1:1', 'missing-lock-timeout@1:1'],
      ],
    ],
    summary: { files: 4, statements: 6, errors: 4, warnings: 1 },
  },
};

describe('lint over the fixture histories', () => {
  for (const [layout, expected] of Object.entries(EXPECTED)) {
    it(`${layout}: exit 1, forward files in the tool's order, exact findings`, () => {
      const r = runCli(['lint', `fixtures/${layout}`, '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as Out;
      const files = out.files.map((f) => [
        f.path.replace(`fixtures/${layout}/`, ''),
        f.class,
        f.findings.map((x) => `${x.rule}@${x.location.line}:${x.location.column}`),
      ]);
      expect(files).toEqual(expected.files);
      expect(out.summary).toEqual(expected.summary);
      // down files and down sections never appear as forward changes
      expect(
        out.files.some((f) =>
          /(^|\/)down\.sql$|[._]down\.sql$|\.rollback\.sql$|\/(revert|verify)\/|\/U[\d.]+__|\.(mysql|sqlite3)\.up\.sql$/.test(
            f.path,
          ),
        ),
      ).toBe(false);
    });
  }
});
