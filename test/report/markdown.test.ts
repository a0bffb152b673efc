import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/lint/result.js';
import { formatResult } from '../../src/report/index.js';
import type { LintResult } from '../../src/lint/result.js';
import { lintSql } from '../helpers/lint.js';
import { CLEAN, INDEX_FILE, MIXED, RENAME_FILE, options } from './fixture.js';

const DOCS = 'https://github.com/pgphase/pgphase/blob/main/rules/';

function markdown(result: LintResult = MIXED): string {
  return formatResult(result, 'markdown', options());
}

/** The cells of a table row, splitting only on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('markdown', () => {
  it('renders a PR comment: heading, summary, a section per file with findings, clean files last', () => {
    expect(markdown()).toBe(
      [
        '<!-- pgphase lint -->',
        '## pgphase lint',
        '',
        '❌ 3 problems (2 errors, 1 warning) in 5 files, 4 statements',
        '',
        '### `migrations/0042_rename.sql`',
        '',
        'Class: **destructive**',
        '',
        '| Line | Severity | Rule | Lock | Message |',
        '| ---: | --- | --- | --- | --- |',
        `| 2 | error | [rename-column](${DOCS}rename-column.md) | — | Renaming "users"."名前": breaks 100% of reads, a \\| b<br>second line |`,
        '',
        '- **rename-column**: Run `pgphase plan`: expand, backfill, contract',
        '',
        'Plan it in phases: `pgphase plan migrations/0042_rename.sql`',
        '',
        '### `db/2024,01:add index.sql`',
        '',
        'Class: **additive**',
        '',
        '| Line | Severity | Rule | Lock | Message |',
        '| ---: | --- | --- | --- | --- |',
        `| 1 | warning | [require-concurrent-index](${DOCS}require-concurrent-index.md) | — | CREATE INDEX without CONCURRENTLY blocks writes. |`,
        '',
        '- **require-concurrent-index**: Use CREATE INDEX CONCURRENTLY',
        '',
        '### `migrations/0044_broken.sql`',
        '',
        'Class: **neutral**',
        '',
        '| Line | Severity | Rule | Lock | Message |',
        '| ---: | --- | --- | --- | --- |',
        `| 1 | error | [syntax-error](${DOCS}syntax-error.md) | — | syntax error at end of input |`,
        '',
        '- **syntax-error**: Fix the SQL',
        '',
        'Checked without findings: `migrations/0040_init.sql`, `migrations/0041_comment.sql`',
        '',
      ].join('\n'),
    );
  });

  it('keeps a message with pipes and line breaks inside one table row of four cells', () => {
    const rows = markdown()
      .split('\n')
      .filter((l) => l.startsWith('| 2 |'));
    expect(rows).toHaveLength(1);
    expect(cells(rows[0]!)).toHaveLength(5);
    expect(cells(rows[0]!)[4]).toBe('Renaming "users"."名前": breaks 100% of reads, a \\| b<br>second line');
  });

  it('says a clean result in one line and still lists the checked files', () => {
    expect(markdown(CLEAN)).toBe(
      '<!-- pgphase lint -->\n## pgphase lint\n\n✅ 2 files, 1 statement: no problems\n\nChecked without findings: `migrations/0040_init.sql`, `migrations/0041_comment.sql`\n',
    );
  });

  it('marks a result with only warnings with a warning sign and omits the clean-files line when there are none', () => {
    const out = markdown(summarize([INDEX_FILE]));
    expect(out.split('\n')[3]).toBe('⚠️ 1 problem (0 errors, 1 warning) in 1 file, 1 statement');
    expect(out).not.toContain('Checked without findings');
  });

  it('says a help shared by several findings of one rule once, on one line', () => {
    const twice = {
      ...RENAME_FILE,
      findings: [
        RENAME_FILE.findings[0]!,
        { ...RENAME_FILE.findings[0]!, help: 'Split it\ninto phases' },
        RENAME_FILE.findings[0]!,
      ],
    };
    const help = markdown(summarize([twice]))
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(help).toEqual([
      '- **rename-column**: Run `pgphase plan`: expand, backfill, contract',
      '- **rename-column**: Split it into phases',
    ]);
  });

  it("shows the lock each finding's statement takes, as the engine works it out", () => {
    const file = lintSql(
      'ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);\nCREATE INDEX i ON orders (user_id);\nUPDATE orders SET note = 1;',
      {
        history: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint, note int);',
      },
    );
    const locks = new Map(file.findings.map((f) => [`${f.rule}@${f.location.line}`, f.lock]));
    expect(locks.get('missing-lock-timeout@1')).toBe('ACCESS EXCLUSIVE on "orders", SHARE ROW EXCLUSIVE on "users"');
    expect(locks.get('create-index-non-concurrently@2')).toBe('SHARE on "orders"');
    expect(locks.get('unbatched-data-change@3')).toBe('ROW EXCLUSIVE on "orders"');
    const rows = markdown(summarize([file]))
      .split('\n')
      .filter((l) => l.startsWith('| 2 |'));
    expect(cells(rows[0]!)[3]).toBe('SHARE on "orders"');
  });
});
