// Adopting pgphase on an existing history: --write-baseline records today's findings by rule,
// file and statement fingerprint; later runs report only new findings, however the lines move,
// and name the entries that match nothing any more.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const NOT_NULL = '2024-02-02-110000_orders_status_not_null/up.sql';
const ORDERS = '2024-01-12-093000_create_orders/up.sql';

/** A copy of the diesel fixture history (five migrations with errors and warnings) in a temporary project. */
function history(): string {
  const root = mkdtempSync(join(tmpdir(), 'pgphase-baseline-'));
  cpSync('fixtures/diesel', join(root, 'migrations'), { recursive: true });
  return root;
}

interface Report {
  files: Array<{ path: string; findings: Array<{ rule: string; location: { line: number } }> }>;
  summary: { errors: number; warnings: number };
  baseline?: {
    file: string;
    suppressed: { errors: number; warnings: number };
    stale: Array<{ rule: string; file: string; count: number }>;
  };
}

function lintJson(root: string, ...args: string[]): { code: number; report: Report; stderr: string } {
  const r = runCli(['lint', 'migrations', '--format', 'json', ...args], { cwd: root });
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

const findings = (report: Report) =>
  report.files.flatMap((f) =>
    f.findings.map((x) => `${f.path.replace(/^migrations\//, '')} ${x.rule}@${x.location.line}`),
  );

const edit = (root: string, rel: string, change: (text: string) => string) => {
  const path = join(root, 'migrations', rel);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
};

describe('pgphase lint --write-baseline', () => {
  it('records every finding and reports none of them from then on', () => {
    const root = history();
    const before = lintJson(root);
    expect(before.code).toBe(1);
    expect(before.report.summary).toEqual({ files: 5, statements: 6, errors: 7, warnings: 2 });

    const write = runCli(['lint', 'migrations', '--write-baseline'], { cwd: root });
    expect(write.code).toBe(0);
    expect(write.stderr).toBe(
      'pgphase: wrote 9 findings to the baseline .pgphase-baseline.json; later runs report only new ones\n',
    );
    const file = JSON.parse(readFileSync(join(root, '.pgphase-baseline.json'), 'utf8')) as {
      version: number;
      entries: Array<{ rule: string; file: string; fingerprint: string; count: number }>;
    };
    expect(file.version).toBe(1);
    expect(file.entries.map((e) => `${e.file} ${e.rule} ${e.count}`)).toEqual([
      `migrations/${ORDERS} fk-missing-index 1`,
      `migrations/${ORDERS} missing-lock-timeout 1`,
      `migrations/${NOT_NULL} missing-lock-timeout 1`,
      `migrations/${NOT_NULL} mixed-ddl-and-dml 1`,
      `migrations/${NOT_NULL} set-not-null 1`,
      `migrations/${NOT_NULL} set-not-null-scan 1`,
      `migrations/${NOT_NULL} unbatched-data-change 1`,
      'migrations/2024-02-10-080000_drop_users_nickname/up.sql drop-column 1',
      'migrations/2024-02-10-080000_drop_users_nickname/up.sql missing-lock-timeout 1',
    ]);
    for (const e of file.entries) expect(e.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    const after = lintJson(root);
    expect(after.code).toBe(0);
    expect(after.stderr).toBe('');
    expect(after.report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(after.report.baseline).toEqual({
      file: '.pgphase-baseline.json',
      suppressed: { errors: 7, warnings: 2 },
      stale: [],
    });
    rmSync(root, { recursive: true });
  });

  it('keeps a finding suppressed when lines are added above its statement, comments change inside it, or it is reflowed', () => {
    const root = history();
    expect(runCli(['lint', 'migrations', '--write-baseline'], { cwd: root }).code).toBe(0);
    edit(
      root,
      NOT_NULL,
      (text) => `-- Reviewed again in 2025: the backfill ran in production first.\n-- See the runbook.\n\n${text}`,
    );
    edit(root, NOT_NULL, (text) =>
      text.replace(
        'ALTER TABLE orders ALTER COLUMN status SET NOT NULL;',
        'ALTER TABLE orders\n    ALTER COLUMN status /* checked */ SET NOT NULL;',
      ),
    );
    const r = lintJson(root);
    expect(r.code).toBe(0);
    expect(findings(r.report)).toEqual([]);
    expect(r.report.baseline?.stale).toEqual([]);
    rmSync(root, { recursive: true });
  });

  it('reports a finding again when its statement changes, and names the entries that no longer match', () => {
    const root = history();
    expect(runCli(['lint', 'migrations', '--write-baseline'], { cwd: root }).code).toBe(0);
    edit(root, NOT_NULL, (text) => text.replace("status = 'pending'", "status = 'open'"));
    const r = lintJson(root);
    expect(r.code).toBe(1);
    expect(findings(r.report)).toEqual([`${NOT_NULL} unbatched-data-change@2`]);
    expect(r.report.baseline?.stale).toEqual([
      {
        rule: 'unbatched-data-change',
        file: `migrations/${NOT_NULL}`,
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        count: 1,
      },
    ]);
    expect(r.stderr).toBe(
      `pgphase: 1 baseline entry matches nothing now (fixed, or the statement changed): unbatched-data-change in migrations/${NOT_NULL}; run \`pgphase lint --write-baseline\` to drop it\n`,
    );
    // writing again shrinks the baseline to today's findings
    expect(runCli(['lint', 'migrations', '--write-baseline'], { cwd: root }).code).toBe(0);
    expect(lintJson(root).report.baseline?.stale).toEqual([]);
    rmSync(root, { recursive: true });
  });

  it('reports new findings: a new migration, and a second copy of a baselined statement', () => {
    const root = history();
    expect(runCli(['lint', 'migrations', '--write-baseline'], { cwd: root }).code).toBe(0);
    mkdirSync(join(root, 'migrations', '2024-03-01-000000_drop_status'));
    writeFileSync(
      join(root, 'migrations', '2024-03-01-000000_drop_status/up.sql'),
      'ALTER TABLE orders DROP COLUMN status;\n',
    );
    edit(root, NOT_NULL, (text) => `${text}UPDATE orders SET status = 'pending' WHERE status IS NULL;\n`);
    const r = lintJson(root);
    // the copy is new (the baseline counts one), and so is the lock it now runs under
    expect(findings(r.report)).toEqual([
      `${NOT_NULL} statements-after-exclusive-lock@4`,
      `${NOT_NULL} unbatched-data-change@4`,
      '2024-03-01-000000_drop_status/up.sql drop-column@1',
      '2024-03-01-000000_drop_status/up.sql missing-lock-timeout@1',
    ]);
    rmSync(root, { recursive: true });
  });

  it('keeps the entries of files a run does not lint, and drops those of files that are gone', () => {
    const root = history();
    expect(runCli(['lint', 'migrations', '--write-baseline'], { cwd: root }).code).toBe(0);
    rmSync(join(root, 'migrations', '2024-02-10-080000_drop_users_nickname'), { recursive: true });
    // one file linted: the others' entries are not stale, the removed file's are
    const one = lintJson(root).report;
    expect(one.baseline?.stale.map((e) => e.rule).sort()).toEqual(['drop-column', 'missing-lock-timeout']);
    const single = runCli(['lint', `migrations/${ORDERS}`, '--write-baseline'], { cwd: root });
    expect(single.code).toBe(0);
    const entries = (
      JSON.parse(readFileSync(join(root, '.pgphase-baseline.json'), 'utf8')) as { entries: Array<{ file: string }> }
    ).entries.map((e) => e.file);
    expect(new Set(entries)).toEqual(new Set([`migrations/${ORDERS}`, `migrations/${NOT_NULL}`]));
    expect(lintJson(root).report.summary).toMatchObject({ errors: 0, warnings: 0 });
    rmSync(root, { recursive: true });
  });

  it('takes --baseline FILE, paths in it relative to the file, from any working directory', () => {
    const root = history();
    // a directory that does not exist cannot take it
    const nowhere = runCli(['lint', 'migrations', '--baseline', 'ci/accepted.json', '--write-baseline'], { cwd: root });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toBe(`pgphase: ${join('ci', 'accepted.json')}: cannot write the baseline (ENOENT)\n`);
    mkdirSync(join(root, 'ci'));
    expect(
      runCli(['lint', 'migrations', '--baseline', 'ci/accepted.json', '--write-baseline'], { cwd: root }).code,
    ).toBe(0);
    expect(existsSync(join(root, '.pgphase-baseline.json'))).toBe(false);
    const entries = (
      JSON.parse(readFileSync(join(root, 'ci', 'accepted.json'), 'utf8')) as { entries: Array<{ file: string }> }
    ).entries;
    expect(entries.every((e) => e.file.startsWith('../migrations/'))).toBe(true);
    const fromElsewhere = runCli(['lint', '.', '--baseline', '../ci/accepted.json'], { cwd: join(root, 'migrations') });
    expect(fromElsewhere.code).toBe(0);
    rmSync(root, { recursive: true });
  });

  it('exits 2 with one line for a missing --baseline file and a baseline that is not one', () => {
    const root = history();
    const missing = runCli(['lint', 'migrations', '--baseline', 'nope.json'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'pgphase: nope.json: no such baseline file; write one with `pgphase lint --write-baseline`\n',
    );
    writeFileSync(join(root, '.pgphase-baseline.json'), '{ "version": 1, "entries": [{ "rule": "drop-column" }] }');
    const bad = runCli(['lint', 'migrations'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'pgphase: .pgphase-baseline.json: not a pgphase baseline (entries.0.file: Invalid input: expected string, received undefined); rewrite it with `pgphase lint --write-baseline`\n',
    );
    writeFileSync(join(root, '.pgphase-baseline.json'), '{ nope');
    expect(runCli(['lint', 'migrations'], { cwd: root }).stderr).toMatch(
      /^pgphase: \.pgphase-baseline\.json: not JSON \(.*\); rewrite it with `pgphase lint --write-baseline`\n$/,
    );
    rmSync(root, { recursive: true });
  });
});
