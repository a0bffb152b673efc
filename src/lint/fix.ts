// Mechanical fixes for findings, in the transaction model of the file: the text edits that make a
// statement safe where its migration tool runs it, or the reason there is none. Plain data in and
// out; `pgphase lint --fix` keeps a fix only when linting the fixed text again proves it.
import { readFile } from '../files.js';
import type { MigrationFile } from '../discover/index.js';
import type { LayoutName } from '../discover/names.js';
import type { Change, ConstraintSpec } from '../sql/changes.js';
import { lex } from '../sql/lexer.js';
import { constraintName, quoteIdent, quoteQName, type QName } from '../sql/names.js';
import { readStatement } from '../sql/normalize.js';
import { parseSource, type SourceFile, type Statement } from '../sql/source.js';
import { transactionsOf, type Transaction } from './engine.js';
import type { LintOutput } from './lint.js';
import { PARTITIONED_DROP_HELP, PARTITIONED_INDEX_HELP } from '../schema/model.js';
import type { Finding, TransactionModel } from './rule.js';

/** Replace `text.slice(start, end)` with `text` (an insertion when start = end); offsets are string
 *  (UTF-16) indices into the file's text as on disk. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** One fix: the edits that resolve the findings of one rule on the given lines. */
export interface Fix {
  rule: string;
  lines: number[];
  title: string;
  edits: TextEdit[];
}

/** A finding a fix exists for in general, or that needs phases, with the reason this one has none. */
export interface Unfixed {
  rule: string;
  line: number;
  reason: string;
}

export interface FixPlan {
  fixes: Fix[];
  unfixed: Unfixed[];
}

export interface FixInput {
  path: string;
  /** The file as on disk. */
  text: string;
  /** The text that was linted, when it differs: the forward section, the rest blanked byte for byte. */
  linted?: string;
  layout: LayoutName | undefined;
  /** How the tool runs the file (the layout's answer, or the config's `transaction`). */
  transaction: TransactionModel;
  /** The findings of the linted text. */
  findings: readonly Finding[];
}

/** The lock_timeout a fix sets: short enough for `lock-timeout-too-long`'s default bound. */
const LOCK_TIMEOUT = '2s';

/** Rules whose findings `pgphase plan` resolves in phases: an unfixed one points there. */
const PLANNED = /`pgphase plan <file>`/;

interface FileView {
  input: FixInput;
  source: SourceFile;
  bytes: Buffer;
  /** String index in the file's text of a byte offset. */
  at(byte: number): number;
  /** The file's line break, for the lines a fix adds. */
  eol: string;
  model: TransactionModel;
  transactions: Transaction[];
  changes: Change[][];
}

type Outcome = { edits: TextEdit[]; title: string } | { reason: string };

/** The fixes for one file's findings. The parser must be loaded (`loadParser()`). */
export function fixFile(input: FixInput): FixPlan {
  const source = parseSource(input.path, input.linted ?? input.text);
  const plan: FixPlan = { fixes: [], unfixed: [] };
  if (source.syntaxError) return plan;
  const { model, transactions } = transactionsOf(source, input.transaction);
  const view: FileView = {
    input,
    source,
    bytes: Buffer.from(source.text),
    at: indexOfByte(input.text),
    eol: input.text.includes('\r\n') ? '\r\n' : '\n',
    model,
    transactions,
    changes: source.statements.map(readStatement),
  };

  const timeouts = input.findings.filter((f) => f.rule === 'missing-lock-timeout');
  if (timeouts.length > 0)
    record(
      plan,
      'missing-lock-timeout',
      timeouts.map((f) => f.location.line),
      lockTimeoutAtTop(view),
    );
  for (const finding of input.findings) {
    const fixer = FIXERS[finding.rule];
    const statement = source.statements.find(
      (s) => s.location.line <= finding.location.line && finding.location.line <= s.location.endLine,
    );
    if (fixer && statement) record(plan, finding.rule, [finding.location.line], fixer(view, statement, finding));
    else if (finding.rule !== 'missing-lock-timeout' && PLANNED.test(finding.help)) {
      plan.unfixed.push({
        rule: finding.rule,
        line: finding.location.line,
        reason: `needs phases: run \`pgphase plan ${input.path}\``,
      });
    }
  }
  return plan;
}

function record(plan: FixPlan, rule: string, lines: number[], outcome: Outcome): void {
  if ('reason' in outcome) {
    for (const line of lines) plan.unfixed.push({ rule, line, reason: outcome.reason });
    return;
  }
  // findings that one edit resolves (a directive for the whole file) share one fix
  const same = plan.fixes.find((f) => f.rule === rule && JSON.stringify(f.edits) === JSON.stringify(outcome.edits));
  if (same) same.lines.push(...lines);
  else plan.fixes.push({ rule, lines, title: outcome.title, edits: outcome.edits });
}

const FIXERS: Record<string, (view: FileView, statement: Statement, finding: Finding) => Outcome> = {
  'concurrently-in-transaction': outOfTransaction,
  'create-index-non-concurrently': concurrently,
  'drop-index-non-concurrently': concurrently,
  'reindex-non-concurrently': concurrently,
  'add-foreign-key-validated': notValidThenValidate,
  'add-check-validated': notValidThenValidate,
  'add-constraint-builds-index': constraintUsingIndex,
};

/** The keyword after which CONCURRENTLY goes, per statement kind. */
const CONCURRENT_AFTER: Partial<Record<Change['kind'], RegExp>> = {
  'create-index': /^index$/i,
  'drop-index': /^index$/i,
  reindex: /^(?:index|table|schema|database)$/i,
};

function concurrently(view: FileView, statement: Statement, finding: Finding): Outcome {
  // PostgreSQL builds and drops no index of a partitioned table CONCURRENTLY
  if (finding.help === PARTITIONED_INDEX_HELP || finding.help === PARTITIONED_DROP_HELP)
    return { reason: 'PostgreSQL refuses CONCURRENTLY on a partitioned table: do what the help says by hand' };
  const changes = view.changes[statement.index]!;
  const change = changes[0]!;
  const after = CONCURRENT_AFTER[change.kind];
  // DROP INDEX CONCURRENTLY takes one index and no CASCADE
  if (!after || (change.kind === 'drop-index' && (changes.length > 1 || change.cascade)))
    return { reason: 'no mechanical fix for this statement: rewrite it by hand, or run `pgphase plan`' };
  const keyword = wordsOf(view, statement).find((w) => after.test(w.text));
  if (!keyword) return { reason: 'no mechanical fix for this statement' };
  const way = outsideTransaction(view, statement, true);
  if ('reason' in way) return way;
  return { title: `add CONCURRENTLY${way.title}`, edits: [...way.edits, insert(view, keyword.end, ' CONCURRENTLY')] };
}

/** A statement PostgreSQL refuses in a transaction block, in a file the tool runs in one: the tool's way out. */
function outOfTransaction(view: FileView, statement: Statement): Outcome {
  const way = outsideTransaction(view, statement, true);
  if ('reason' in way) return way;
  return { title: `run the file outside a transaction${way.title}`, edits: way.edits };
}

function notValidThenValidate(view: FileView, statement: Statement): Outcome {
  const changes = view.changes[statement.index]!;
  const change = changes[0]!;
  if (changes.length !== 1 || change.kind !== 'add-constraint')
    return {
      reason:
        'no mechanical fix for this statement: run `pgphase plan`, or add the constraint `NOT VALID` in its own ALTER TABLE',
    };
  // VALIDATE must commit after the constraint: only a file run statement by statement has a later transaction
  const t = view.transactions[statement.index]!;
  if (view.model !== 'none')
    return {
      reason: `VALIDATE must run in a later transaction, and ${toolName(view)} runs the whole file in one: run \`pgphase plan ${view.input.path}\`, which puts it in a phase of its own`,
    };
  const end = t.block ? endOfStatement(view, view.source.statements[t.last]!) : endOfStatement(view, statement);
  if (t.block && !view.changes[t.last]!.some((c) => c.kind === 'transaction' && c.op === 'commit'))
    return {
      reason: 'the transaction it runs in does not end with a COMMIT: add VALIDATE CONSTRAINT after it by hand',
    };
  const name = constraintName(change.table.name, change.constraint);
  return {
    title: 'add NOT VALID, then VALIDATE CONSTRAINT in a later transaction',
    edits: [
      insert(view, statement.end, ' NOT VALID'),
      { start: end.at, end: end.at, text: `${end.semicolon}${view.eol}${validate(change.table, name)}` },
    ],
  };
}

function validate(table: QName, name: string): string {
  return `ALTER TABLE ${quoteQName(table)} VALIDATE CONSTRAINT ${quoteIdent(name)};`;
}

function constraintUsingIndex(view: FileView, statement: Statement): Outcome {
  const changes = view.changes[statement.index]!;
  const change = changes[0]!;
  const node = statement.node.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint;
  const plain = (c: ConstraintSpec) =>
    (c.kind === 'unique' || c.kind === 'primary-key') && !c.usingIndex && !c.including?.length;
  // what CREATE UNIQUE INDEX cannot say as written: deferrable, index options, a tablespace, NULLS NOT DISTINCT
  const extras =
    node && (node.deferrable || node.initdeferred || node.options || node.indexspace || node.nulls_not_distinct);
  if (changes.length !== 1 || change.kind !== 'add-constraint' || !plain(change.constraint) || extras) {
    return { reason: `no mechanical fix for this statement: run \`pgphase plan ${view.input.path}\`` };
  }
  const way = outsideTransaction(view, statement, false);
  if ('reason' in way) return way;
  const name = quoteIdent(constraintName(change.table.name, change.constraint));
  const table = quoteQName(change.table);
  const kind = change.constraint.kind === 'unique' ? 'UNIQUE' : 'PRIMARY KEY';
  const sql = `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${change.constraint.columns.map(quoteIdent).join(', ')});${view.eol}ALTER TABLE ${table} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}`;
  return {
    title: `build the index CONCURRENTLY, then ADD CONSTRAINT … USING INDEX${way.title}`,
    edits: [...way.edits, { start: view.at(statement.start), end: view.at(statement.end), text: sql }],
  };
}

function lockTimeoutAtTop(view: FileView): Outcome {
  const first = view.source.statements[0];
  if (!first) return { reason: 'no statement to put it before' };
  // at the start of the first statement's line: before it on that line is only white space or a comment
  const lineStart = first.start === 0 ? 0 : view.bytes.lastIndexOf(0x0a, first.start - 1) + 1;
  return {
    title: `SET lock_timeout = '${LOCK_TIMEOUT}' at the top`,
    edits: [insert(view, lineStart, `SET lock_timeout = '${LOCK_TIMEOUT}';${view.eol}`)],
  };
}

/**
 * The edits that make a statement run outside a transaction block, where its tool allows it, or
 * why it cannot. `alone`: the fix leaves it the only statement of the file if it was.
 */
function outsideTransaction(
  view: FileView,
  statement: Statement,
  alone: boolean,
): { edits: TextEdit[]; title: string } | { reason: string } {
  const t = view.transactions[statement.index]!;
  if (!t.block) return { edits: [], title: '' };
  if (view.changes[t.first]!.some((c) => c.kind === 'transaction' && c.op === 'begin')) {
    return {
      reason: 'it runs between BEGIN and COMMIT, and CONCURRENTLY cannot: move it out of the transaction block',
    };
  }
  const only = alone && view.source.statements.length === 1;
  const text = view.input.text;
  switch (view.input.layout) {
    case 'flyway':
      // Flyway runs a file outside a transaction by itself when every statement in it needs that
      if (only) return { edits: [], title: '' };
      return {
        reason:
          'Flyway runs a file in a transaction unless every statement in it needs to run outside one: move the statement to a migration of its own',
      };
    case 'dbmate': {
      // dbmate sends the up section as one query string: one statement runs alone, several in one implicit transaction
      const marker = /^--\s*migrate:up\b[^\n]*/m.exec(text);
      if (only && marker)
        return {
          edits: [
            {
              start: marker.index + marker[0].trimEnd().length,
              end: marker.index + marker[0].trimEnd().length,
              text: ' transaction:false',
            },
          ],
          title: ' (`-- migrate:up transaction:false`)',
        };
      return {
        reason:
          'dbmate sends the file as one query string, which runs in one transaction when it holds several statements: move the statement to a migration of its own marked `-- migrate:up transaction:false`',
      };
    }
    case 'sqlx':
      // sqlx sends a migration that begins with `-- no-transaction` as one query string: one statement runs alone, several in one implicit transaction
      if (only)
        return {
          edits: [{ start: 0, end: 0, text: `-- no-transaction${view.eol}` }],
          title: ' (`-- no-transaction`)',
        };
      return {
        reason:
          'sqlx sends a migration that begins with `-- no-transaction` as one query string, which runs in one transaction when it holds several statements: move the statement to a migration of its own that begins with `-- no-transaction`',
      };
    case 'tern':
      // tern runs a migration that says disable-tx statement by statement
      return {
        edits: [{ start: 0, end: 0, text: `---- tern: disable-tx ----${view.eol}` }],
        title: ' (`---- tern: disable-tx ----`)',
      };
    case 'goose': {
      if (view.model !== 'per-file') break;
      const blocks = [...text.matchAll(/^--\s*\+goose\s+statement(begin|end)\b/gim)];
      const start = view.at(statement.start);
      const inBlock = blocks.some(
        (b, i) => b[1]!.toLowerCase() === 'begin' && b.index! < start && (blocks[i + 1]?.index ?? Infinity) > start,
      );
      if (inBlock)
        return {
          reason:
            'goose sends a StatementBegin … StatementEnd block as one query string: move the statement out of the block',
        };
      return {
        edits: [{ start: 0, end: 0, text: `-- +goose NO TRANSACTION${view.eol}` }],
        title: ' (`-- +goose NO TRANSACTION`)',
      };
    }
    case 'atlas':
      return {
        edits: [{ start: 0, end: 0, text: `-- atlas:txmode none${view.eol}` }],
        title: ' (`-- atlas:txmode none`)',
      };
  }
  if (view.model === 'implicit')
    return {
      reason: `${toolName(view)} sends the file as one query string, which runs in one transaction when it holds several statements: move the statement to a migration of its own`,
    };
  return {
    reason: `${toolName(view)} runs this file in a transaction, and CONCURRENTLY cannot run in one: move the statement to a migration the tool runs outside a transaction`,
  };
}

function toolName(view: FileView): string {
  return view.input.layout === undefined || view.input.layout === 'plain' ? 'the migration tool' : view.input.layout;
}

/** The words of a statement (runs of code between white space and comments), with their byte offsets in the file. */
function wordsOf(view: FileView, statement: Statement): Array<{ text: string; start: number; end: number }> {
  const slice = view.bytes.subarray(statement.start, statement.end);
  const { code } = lex(slice);
  const words = [];
  for (let i = 0; i < code.length; i += 2)
    words.push({
      text: slice.subarray(code[i]!, code[i + 1]!).toString(),
      start: statement.start + code[i]!,
      end: statement.start + code[i + 1]!,
    });
  return words;
}

/** Where text goes after a statement: after its semicolon, or at its end with a semicolon to add. */
function endOfStatement(view: FileView, statement: Statement): { at: number; semicolon: string } {
  let i = statement.end;
  while (i < view.bytes.length && /\s/.test(String.fromCharCode(view.bytes[i]!))) i++;
  return view.bytes[i] === 0x3b
    ? { at: view.at(i + 1), semicolon: '' }
    : { at: view.at(statement.end), semicolon: ';' };
}

function insert(view: FileView, byte: number, text: string): TextEdit {
  const at = view.at(byte);
  return { start: at, end: at, text };
}

/** Maps UTF-8 byte offsets of a text to its string indices. */
function indexOfByte(text: string): (byte: number) => number {
  const map: number[] = [];
  let index = 0;
  for (const char of text) {
    for (let b = Buffer.byteLength(char); b > 0; b--) map.push(index);
    index += char.length;
  }
  map.push(index);
  return (byte) => map[Math.min(byte, map.length - 1)]!;
}

/** The text with the edits made. Identical edits (two fixes that add the same directive) count once;
 *  of two insertions at one place, a comment line goes first: a file's directives precede its statements. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const unique = edits.filter(
    (e, i) => edits.findIndex((o) => o.start === e.start && o.end === e.end && o.text === e.text) === i,
  );
  const sorted = [...unique].sort(
    (a, b) => a.start - b.start || a.end - b.end || Number(b.text.startsWith('--')) - Number(a.text.startsWith('--')),
  );
  let out = '';
  let from = 0;
  for (const e of sorted) {
    if (e.start < from) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(from, e.start) + e.text;
    from = e.end;
  }
  return out + text.slice(from);
}

/** What a file's fixes came to: its text before and after the fixes that were proven, and what was left. */
export interface FileFix {
  path: string;
  before: string;
  after: string;
  applied: Fix[];
  /** Findings without a fix, and fixes that linting the fixed text did not prove (reason says so). */
  unfixed: Unfixed[];
}

/** A linted file as `fixLinted` needs it. */
export interface LintedFile extends Omit<FixInput, 'findings' | 'text'> {
  /** The file's text as on disk. */
  text: string;
}

/**
 * Fixes one file, keeping each fix only when linting the fixed text proves it: the fix's rule has
 * as many findings fewer as the fix resolves, and no other rule has more. `relint` lints a text as
 * that file (in its migration set, with the same options).
 */
export async function fixLinted(
  file: LintedFile,
  relint: (text: string) => Promise<readonly Finding[]>,
): Promise<FileFix> {
  const counts = (findings: readonly Finding[]) => {
    const n = new Map<string, number>();
    for (const f of findings) n.set(f.rule, (n.get(f.rule) ?? 0) + 1);
    return n;
  };
  const findings = await relint(file.text);
  const plan = fixFile({ ...file, findings });
  const applied: Fix[] = [];
  const unfixed = [...plan.unfixed];
  let current = counts(findings);
  let after = file.text;
  for (const fix of plan.fixes) {
    const text = applyEdits(
      file.text,
      [...applied, fix].flatMap((f) => f.edits),
    );
    const next = counts(await relint(text));
    const resolved = (next.get(fix.rule) ?? 0) <= (current.get(fix.rule) ?? 0) - fix.lines.length;
    const worse = [...next].find(([rule, n]) => rule !== fix.rule && n > (current.get(rule) ?? 0));
    if (resolved && !worse) {
      applied.push(fix);
      current = next;
      after = text;
    } else {
      const why = worse ? `it would add a ${worse[0]} finding` : `linting the fixed text still finds ${fix.rule}`;
      for (const line of fix.lines)
        unfixed.push({ rule: fix.rule, line, reason: `the fix (${fix.title}) is not applied: ${why}` });
    }
  }
  unfixed.sort((a, b) => a.line - b.line || (a.rule < b.rule ? -1 : 1));
  return { path: file.path, before: file.text, after, applied, unfixed };
}

/** Fixes every file of a lint run that has findings (`pgphase lint --fix`); a file that holds several
 *  migrations (Liquibase changesets) is left as it is. `relint` lints a text as the file at `absPath`. */
export async function fixFiles(
  output: LintOutput,
  relint: (absPath: string, text: string) => Promise<readonly Finding[]>,
): Promise<FileFix[]> {
  const out: FileFix[] = [];
  for (const result of output.result.files) {
    const entries = output.linted.get(result.path) ?? [];
    if (result.findings.length === 0 || entries.length !== 1) continue;
    const [file] = entries as [MigrationFile];
    const text = await readFile(file.absPath, 'utf8');
    out.push(
      await fixLinted(
        { path: file.path, text, linted: file.text, layout: file.layout, transaction: file.transaction },
        (t) => relint(file.absPath, t),
      ),
    );
  }
  return out;
}
