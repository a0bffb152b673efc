// A hand-built lint result shared by the reporter tests: several files, errors and
// warnings, multibyte text, and a message full of characters that formats must escape.
import type { FileResult } from '../../src/lint/engine.js';
import { summarize, type LintResult } from '../../src/lint/result.js';
import type { Finding, RuleMeta } from '../../src/lint/rule.js';
import type { ReportOptions } from '../../src/report/options.js';

export const RULES: RuleMeta[] = [
  {
    id: 'syntax-error',
    category: 'robustness',
    severity: 'error',
    description: 'The file does not parse',
    messages: { default: { message: '{{message}}', help: 'Fix the SQL' } },
  },
  {
    id: 'rename-column',
    category: 'breaks-old-code',
    severity: 'error',
    description: 'Renaming a column breaks the running version',
    messages: { default: { message: 'Renaming {{column}} breaks old code', help: 'Run `pgphase plan`' } },
  },
  {
    id: 'require-concurrent-index',
    category: 'blocks-traffic',
    severity: 'warning',
    description: 'CREATE INDEX without CONCURRENTLY blocks writes',
    messages: { default: { message: 'Index blocks writes', help: 'Use CREATE INDEX CONCURRENTLY' } },
  },
  {
    id: 'prefer-text',
    category: 'style',
    severity: 'off',
    description: 'Prefer text over varchar(n)',
    messages: { default: { message: 'Use text', help: 'Use text' } },
  },
];

/** Line 2 puts a statement after an emoji: `ALTER` is the 29th character but sits in terminal cell 30. */
export const RENAME_SQL =
  "-- 🎉 launch\nINSERT INTO t VALUES ('🎉'); ALTER TABLE users RENAME COLUMN 名前 TO full_name;\n";
export const RENAME_STATEMENT = 'ALTER TABLE users RENAME COLUMN 名前 TO full_name';
export const RENAME_COLUMN = 29;

/** `%`, `,`, `:`, `|`, a CR/LF line break and non-ASCII in one message. */
export const NASTY_MESSAGE = 'Renaming "users"."名前": breaks 100% of reads, a | b\r\nsecond line';

export const INDEX_SQL = 'CREATE INDEX i\n  ON orders (id)\n  WHERE id > 0;\n';

function finding(rule: RuleMeta, overrides: Partial<Finding>): Finding {
  return {
    rule: rule.id,
    category: rule.category,
    severity: rule.severity === 'warning' ? 'warning' : 'error',
    message: `${rule.description}.`,
    help: rule.messages.default!.help,
    location: { line: 1, column: 1, endLine: 1, endColumn: 2 },
    docs: `rules/${rule.id}.md`,
    ...overrides,
  };
}

const [syntaxRule, renameRule, indexRule] = RULES as [RuleMeta, RuleMeta, RuleMeta, RuleMeta];

export const RENAME_FILE: FileResult = {
  path: 'migrations/0042_rename.sql',
  class: 'destructive',
  statements: [
    { index: 0, class: 'data', kinds: ['data-change'], location: { line: 2, column: 1, endLine: 2, endColumn: 27 } },
    {
      index: 1,
      class: 'destructive',
      kinds: ['rename-column'],
      location: {
        line: 2,
        column: RENAME_COLUMN,
        endLine: 2,
        endColumn: RENAME_COLUMN + Array.from(RENAME_STATEMENT).length,
      },
    },
  ],
  findings: [
    finding(renameRule, {
      message: NASTY_MESSAGE,
      help: 'Run `pgphase plan`: expand, backfill, contract',
      location: {
        line: 2,
        column: RENAME_COLUMN,
        endLine: 2,
        endColumn: RENAME_COLUMN + Array.from(RENAME_STATEMENT).length,
      },
    }),
  ],
};

/** A path with a space, `,` and `:`; a warning spanning three lines. */
export const INDEX_FILE: FileResult = {
  path: 'db/2024,01:add index.sql',
  class: 'additive',
  statements: [
    {
      index: 0,
      class: 'additive',
      kinds: ['create-index'],
      location: { line: 1, column: 1, endLine: 3, endColumn: 15 },
    },
  ],
  findings: [finding(indexRule, { location: { line: 1, column: 1, endLine: 3, endColumn: 15 } })],
};

/** A syntax error at the end of its only line, and no source text handed to the reporter. */
export const BROKEN_FILE: FileResult = {
  path: 'migrations/0044_broken.sql',
  class: 'neutral',
  statements: [],
  findings: [
    finding(syntaxRule, {
      message: 'syntax error at end of input',
      location: { line: 1, column: 12, endLine: 1, endColumn: 12 },
    }),
  ],
};

export const CLEAN_FILES: FileResult[] = [
  {
    path: 'migrations/0040_init.sql',
    class: 'additive',
    statements: [
      {
        index: 0,
        class: 'additive',
        kinds: ['create-table'],
        location: { line: 1, column: 1, endLine: 1, endColumn: 30 },
      },
    ],
    findings: [],
  },
  { path: 'migrations/0041_comment.sql', class: 'neutral', statements: [], findings: [] },
];

export const MIXED: LintResult = summarize([CLEAN_FILES[0]!, RENAME_FILE, INDEX_FILE, BROKEN_FILE, CLEAN_FILES[1]!]);
export const CLEAN: LintResult = summarize(CLEAN_FILES);

export function options(overrides: Partial<ReportOptions> = {}): ReportOptions {
  return {
    color: false,
    rules: RULES,
    sources: new Map([
      [RENAME_FILE.path, RENAME_SQL],
      [INDEX_FILE.path, INDEX_SQL],
    ]),
    version: '0.1.0',
    docsBaseUrl: 'https://github.com/pgphase/pgphase/blob/main/',
    ...overrides,
  };
}
