// `lint --queries`: breaks-old-code findings weighed against the shop's 200 queries. The queries
// a finding says it breaks are those the shadow database refuses after the migration.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { rules } from '../../rules/index.js';
import { check } from '../../src/check/check.js';
import { RULE_KINDS } from '../../src/check/evidence.js';
import { querySet, readQueryFile, type QuerySet } from '../../src/check/sources.js';
import { lint } from '../../src/index.js';
import { runCli, tempTree } from '../helpers/cli.js';
import '../helpers/db.js';

const SHOP = resolve('fixtures/check/shop');
const QUERIES = join(SHOP, 'queries.sql');
const shadowUrl = inject('pgAdminUrl');

function shop(migration: string): string {
  return tempTree({
    'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
    'db/0002_change.sql': migration,
  });
}

async function findings(root: string, queries?: string[]) {
  const { result } = await lint({
    paths: ['db/0002_change.sql'],
    cwd: root,
    ...(queries && { queries: { files: queries } }),
  });
  return { findings: result.files.flatMap((f) => f.findings), summary: result.summary };
}

let set: QuerySet;
beforeAll(async () => {
  set = await querySet(await readQueryFile(QUERIES));
});

describe('lint --queries', () => {
  it('knows the change behind every breaks-old-code rule', () => {
    const ids = rules.filter((r) => r.meta.category === 'breaks-old-code').map((r) => r.meta.id);
    expect(ids.filter((id) => !(id in RULE_KINDS))).toEqual([]);
  });

  it('without queries nothing changes', async () => {
    const root = shop('ALTER TABLE users DROP COLUMN legacy_notes;\n');
    const { findings: plain } = await findings(root);
    expect(plain.filter((f) => f.category === 'breaks-old-code').map((f) => [f.rule, f.severity, f.message])).toEqual([
      [
        'drop-column',
        'error',
        'Dropping column "users"."legacy_notes" breaks every query of the running version that reads or writes "legacy_notes"',
      ],
    ]);
  });

  it('a dropped column no query uses: a warning saying so, with the number of queries checked', async () => {
    const root = shop('ALTER TABLE users DROP COLUMN legacy_notes;\n');
    const { findings: weighed } = await findings(root, [QUERIES]);
    expect(weighed.filter((f) => f.category === 'breaks-old-code').map((f) => [f.rule, f.severity, f.message])).toEqual(
      [
        [
          'drop-column',
          'warning',
          'Dropping column "users"."legacy_notes" breaks every query of the running version that reads or writes "legacy_notes": no query of the running version uses it (200 queries checked)',
        ],
      ],
    );
    // the other finding (no lock_timeout) stays as it was
    expect(weighed.filter((f) => f.category !== 'breaks-old-code').map((f) => f.rule)).toEqual([
      'missing-lock-timeout',
    ]);
  });

  for (const [what, migration, table] of [
    ['a rename', 'ALTER TABLE users RENAME COLUMN name TO full_name;\n', 'users'],
    ['a dropped column', 'ALTER TABLE orders DROP COLUMN status;\n', 'orders'],
    ['a dropped table', 'DROP TABLE audit_events;\n', 'audit_events'],
    ['a renamed table', 'ALTER TABLE carts RENAME TO baskets;\n', 'carts'],
  ] as const) {
    it(`${what}: the finding says how many queries it breaks: those the shadow database refuses, and those that read * of the table`, async () => {
      const root = shop(migration);
      const { findings: weighed } = await findings(root, [QUERIES]);
      const finding = weighed.find((f) => f.category === 'breaks-old-code')!;
      const proven = await check({ target: 'db/0002_change.sql', old: set, cwd: root, shadowUrl });
      const broken = new Set(proven.failures.map((f) => f.query));
      expect(broken.size).toBeGreaterThan(0);
      expect(finding.severity).toBe('error');
      // a prepared SELECT * fails after a column is dropped or renamed ("cached plan must not change result type"), and the code reads the field
      const stars = set.queries.filter((q) => q.text.includes(`"${table}".*`) && !broken.has(q.text));
      expect(finding.message).toMatch(
        new RegExp(`: breaks ${broken.size + stars.length} of 200 queries, e\\.g\\. \`.+\`$`),
      );
      const example = /e\.g\. `(.+)`$/.exec(finding.message)![1]!.replace(/…$/, '');
      expect([...broken].some((q) => q.replace(/\s+/g, ' ').startsWith(example))).toBe(true);
    });
  }

  it('a dropped view and a renamed function: the queries that read the view or call the function', async () => {
    const root = tempTree({
      'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
      'db/0002_objects.sql':
        "CREATE VIEW active_users AS SELECT id, email FROM users WHERE is_active;\nCREATE FUNCTION cart_total(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';\nCREATE VIEW unused_report AS SELECT 1 AS one;\n",
      'db/0003_change.sql':
        'DROP VIEW active_users;\nALTER FUNCTION cart_total(bigint) RENAME TO basket_total;\nDROP VIEW unused_report;\n',
      'app.sql':
        'SELECT a.email FROM active_users a WHERE a.id = $1;\nSELECT cart_total($1);\nSELECT id FROM users WHERE id = $1;\n',
    });
    const { result } = await lint({ paths: ['db/0003_change.sql'], cwd: root, queries: { files: ['app.sql'] } });
    expect(
      result.files[0]!.findings.filter((f) => f.category === 'breaks-old-code').map((f) => [
        f.rule,
        f.severity,
        f.message.replace(/^.*?(: (breaks|no query))/, '$1'),
      ]),
    ).toEqual([
      ['drop-object', 'error', ': breaks 1 of 3 queries, e.g. `SELECT a.email FROM active_users a WHERE a.id = $1`'],
      ['rename-object', 'error', ': breaks 1 of 3 queries, e.g. `SELECT cart_total($1)`'],
      ['drop-object', 'warning', ': no query of the running version uses it (3 queries checked)'],
    ]);
  });

  it('no query read is no evidence: findings unchanged', async () => {
    const root = tempTree({
      'db/0001_init.sql': readFileSync(join(SHOP, 'migrations/0001_init.sql'), 'utf8'),
      'db/0002_change.sql': 'ALTER TABLE users DROP COLUMN legacy_notes;\n',
      'empty.sql': '-- nothing yet\n',
    });
    const { result } = await lint({ paths: ['db/0002_change.sql'], cwd: root, queries: { files: ['empty.sql'] } });
    expect(result.files[0]!.findings.find((f) => f.rule === 'drop-column')).toMatchObject({
      severity: 'error',
      message: expect.not.stringContaining('queries'),
    });
  });

  it('a required column: the INSERTs of the running version that leave it out', async () => {
    const root = shop('ALTER TABLE reviews ADD COLUMN source text NOT NULL;\n');
    const { findings: weighed } = await findings(root, [QUERIES]);
    const inserts = set.queries.filter(
      (q) => /^INSERT INTO "?(public"?\."?)?reviews\b/i.test(q.text) || /\bINSERT INTO reviews\b/.test(q.text),
    );
    expect(inserts.length).toBeGreaterThan(0);
    expect(weighed.find((f) => f.rule === 'add-required-column')!.message).toMatch(
      new RegExp(`: breaks ${inserts.length} of 200 queries, e\\.g\\. \`INSERT INTO reviews`),
    );
  });

  // each other breaks-old-code finding, against the queries a reading of their text picks out
  const text = () => set.queries.map((q) => q.text);
  it.each([
    {
      what: 'a new NOT NULL: the INSERTs that name their columns and leave it out',
      migration: 'ALTER TABLE users ALTER COLUMN last_login_at SET NOT NULL;\n',
      rule: 'set-not-null',
      picked: () =>
        text().filter(
          (q) =>
            /^INSERT INTO "?(public"?\."?)?users"? \(/i.test(q) &&
            !/\(([^)]*)\)/.exec(q)![1]!.includes('last_login_at'),
        ),
    },
    {
      what: 'a type change: the queries that read or write the column, or read * of its table',
      migration: 'ALTER TABLE orders ALTER COLUMN external_ref TYPE text;\n',
      rule: 'change-column-type',
      picked: () => text().filter((q) => q.includes('external_ref') || q.includes('"orders".*')),
    },
    {
      what: 'a new unique constraint: the writes of its columns',
      migration: 'ALTER TABLE products ADD CONSTRAINT products_title_key UNIQUE (title);\n',
      rule: 'add-unique-constraint',
      picked: () =>
        text().filter(
          (q) =>
            /^(INSERT INTO|UPDATE) "?(public"?\."?)?products\b/i.test(q) &&
            (/^INSERT INTO [^(]*VALUES/i.test(q) || /\btitle\b/.test(q.split(/\bWHERE\b|\bRETURNING\b/i)[0]!)),
        ),
    },
    {
      what: 'a trigger on an existing table: the writes it fires on',
      migration:
        'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER touch BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION touch();\n',
      rule: 'create-trigger',
      picked: () => text().filter((q) => /^(INSERT INTO|UPDATE|DELETE FROM) "?(public"?\."?)?payments\b/i.test(q)),
    },
  ])('$what', async ({ migration, rule, picked }) => {
    const root = shop(migration);
    const expected = picked();
    const { findings: weighed } = await findings(root, [QUERIES]);
    const finding = weighed.find((f) => f.rule === rule);
    expect(finding, `no ${rule} finding`).toBeDefined();
    expect(expected.length).toBeGreaterThan(0);
    expect(finding!.message).toMatch(new RegExp(`: breaks ${expected.length} of 200 queries, e\\.g\\. \``));
  });

  it('the CLI: --queries turns the error into a warning and exit 0', () => {
    const root = shop("SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN legacy_notes;\n");
    expect(runCli(['lint', 'db/0002_change.sql'], { cwd: root }).code).toBe(1);
    const run = runCli(['lint', 'db/0002_change.sql', '--queries', QUERIES, '--format', 'json'], { cwd: root });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).files[0].findings).toEqual([
      expect.objectContaining({
        rule: 'drop-column',
        severity: 'warning',
        message: expect.stringContaining('no query of the running version uses it (200 queries checked)'),
      }),
    ]);
  });
});
