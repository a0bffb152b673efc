// Formats a trace: pretty (each statement with what it took, and a lock timeline per
// transaction), json, and markdown for a pull request comment. Formatting only.
import type { TraceResult, TracedFile, TracedStatementWithLint } from './index.js';
import type { Relation, TracedLock } from './observe.js';
import { describe } from './duration.js';
import { stronger } from './static.js';

export const TRACE_FORMATS = ['pretty', 'json', 'markdown'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

const MODEL: Record<TracedFile['transaction'], string> = {
  'per-file': 'in one transaction',
  implicit: 'as one implicit transaction',
  none: 'statement by statement',
};

const name = (r: Relation) => (r.schema === 'public' ? r.name : `${r.schema}.${r.name}`);
const ms = (n: number) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));

/**
 * The locks worth showing: on relations that existed before the migration (a new one has no
 * traffic), indexes left out (their table's lock says it), and of the locks on one relation
 * only the strongest (`earlier`: locks the transaction already holds).
 */
function shown(locks: readonly TracedLock[], earlier: readonly TracedLock[] = []): TracedLock[] {
  const kept = locks.filter((l) => !l.relation.isNew && l.relation.kind !== 'index');
  const all = [...earlier, ...kept];
  const same = (a: TracedLock, b: TracedLock) =>
    a.relation.schema === b.relation.schema && a.relation.name === b.relation.name;
  return kept.filter(
    (l) => !all.some((o) => o !== l && same(o, l) && stronger(o.mode, l.mode) === o.mode && o.mode !== l.mode),
  );
}

function facts(s: TracedStatementWithLint): string[] {
  const out: string[] = [];
  const rewrites = s.rewrites.filter((r) => !r.isNew);
  if (rewrites.length) out.push(`rewrote ${rewrites.map(name).join(', ')}`);
  const scans = s.scans.filter((x) => !x.relation.isNew);
  if (scans.length) out.push(`scanned ${scans.map((x) => `${name(x.relation)} (${x.rows} rows)`).join(', ')}`);
  return out;
}

function estimateLine(s: TracedStatementWithLint, maxLockMs: number | undefined): string | undefined {
  if (!s.estimate) return undefined;
  return `${describe(s.estimate)} for ${s.estimate.rule}${s.estimate.overLimit ? `: over maxLockMs (${maxLockMs} ms)` : ''}`;
}

/** Rows of held locks per transaction: which statements of it each lock spans. */
function timeline(statements: readonly TracedStatementWithLint[]): string[] {
  const out: string[] = [];
  const groups = new Map<number, TracedStatementWithLint[]>();
  for (const s of statements) groups.set(s.transaction, [...(groups.get(s.transaction) ?? []), s]);
  for (const group of groups.values()) {
    // a statement alone has its locks on its own line
    if (group.length < 2) continue;
    const rows = group.flatMap((s, i) =>
      shown(
        s.locks,
        group.slice(0, i).flatMap((e) => e.locks),
      ).map((l) => ({ l, from: i })),
    );
    if (!rows.length) continue;
    const labels = rows.map(({ l }) => `${name(l.relation)} ${l.mode}`);
    const width = Math.max(...labels.map((x) => x.length));
    const cols = group.map((s) => String(s.line).padStart(4));
    out.push(`    ${''.padEnd(width)}  ${cols.join('')}  end`);
    rows.forEach(({ l, from }, i) => {
      const bar = group.map((_, j) => (j >= from ? '  ██' : '    ')).join('');
      out.push(`    ${labels[i]!.padEnd(width)}  ${bar}  ${l.heldMs === undefined ? 'sampled' : `${ms(l.heldMs)} ms`}`);
    });
  }
  return out;
}

export function formatPretty(result: TraceResult): string {
  const out: string[] = [];
  for (const file of result.files) {
    out.push(`${file.path} (${MODEL[file.transaction]})`);
    if (file.emptied) out.push(`  refused on the generated rows (${file.emptied}): traced on empty tables`);
    for (const [i, s] of file.statements.entries()) {
      out.push(
        `  ${String(s.line).padStart(4)}  ${s.text.length > 72 ? `${s.text.slice(0, 71)}…` : s.text}  ${ms(s.durationMs)} ms`,
      );
      if (s.error) {
        out.push(`        PostgreSQL refused it: ${s.error}`);
        continue;
      }
      // a lock weaker than one its transaction holds on the relation already changes nothing
      const locks = shown(
        s.locks,
        file.statements
          .slice(0, i)
          .filter((e) => e.transaction === s.transaction)
          .flatMap((e) => e.locks),
      );
      const held = (l: TracedLock) => (l.heldMs === undefined ? '' : ` (${ms(l.heldMs)} ms)`);
      if (locks.length)
        out.push(
          `        locks ${locks.map((l) => `${l.mode} on ${name(l.relation)}${held(l)}`).join(', ')}${s.observed === 'sampled' ? ' (sampled while it ran alone)' : ''}`,
        );
      for (const fact of facts(s)) out.push(`        ${fact}`);
      if (s.findings.length) out.push(`        lint: ${[...new Set(s.findings.map((f) => f.rule))].join(', ')}`);
      const estimate = estimateLine(s, result.sizes?.maxLockMs);
      if (estimate) out.push(`        ${estimate}`);
    }
    const lines = timeline(file.statements);
    if (lines.length)
      out.push(
        '  lock timeline per transaction (columns: statement lines; each lock held from the statement that took it to the end):',
        ...lines,
      );
    for (const d of file.disagreements) out.push(`  disagreement ${file.path}:${d.line}: ${d.message}`);
    out.push('');
  }
  const disagreements = result.files.reduce((n, f) => n + f.disagreements.length, 0);
  const statements = result.files.reduce((n, f) => n + f.statements.length, 0);
  out.push(
    `${statements} statement${statements === 1 ? '' : 's'} traced on PostgreSQL ${result.server} with ${result.rows.inserted} generated rows; ${disagreements === 0 ? 'lint agrees with every one' : `${disagreements} disagreement${disagreements === 1 ? '' : 's'} with lint`}`,
  );
  if (result.sizes) {
    const { throughput, maxLockMs } = result.sizes;
    const mbs = (bytesPerMs: number) => `${Math.round(bytesPerMs / 1000)} MB/s`;
    out.push(
      `durations at the throughput measured on the shadow server: rewrite ${mbs(throughput.rewrite)}, index build ${mbs(throughput.index)}, scan ${mbs(throughput.scan)}; maxLockMs ${maxLockMs}`,
    );
  }
  return `${out.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatMarkdown(result: TraceResult): string {
  const out: string[] = ['### pgphase trace', ''];
  for (const file of result.files) {
    out.push(
      `**${cell(file.path)}** (${MODEL[file.transaction]})`,
      '',
      ...(file.emptied ? [`Refused on the generated rows (${cell(file.emptied)}): traced on empty tables.`, ''] : []),
      '| line | statement | locks | rewrites, scans | lint | blocks |',
      '|---:|---|---|---|---|---|',
    );
    for (const s of file.statements) {
      const locks = s.error
        ? `refused: ${s.error}`
        : shown(s.locks)
            .map((l) => `${l.mode} on \`${name(l.relation)}\`${l.heldMs === undefined ? '' : ` (${ms(l.heldMs)} ms)`}`)
            .join('<br>');
      const rules = [...new Set(s.findings.map((f) => `\`${f.rule}\``))].join(' ');
      const blocks = s.estimate ? `${describe(s.estimate)}${s.estimate.overLimit ? ' ⚠' : ''}` : '';
      out.push(
        `| ${s.line} | \`${cell(s.text.length > 60 ? `${s.text.slice(0, 59)}…` : s.text)}\` | ${cell(locks)} | ${cell(facts(s).join('; '))} | ${rules} | ${cell(blocks)} |`,
      );
    }
    out.push('');
    if (file.disagreements.length)
      out.push(
        'Disagreements with lint:',
        '',
        ...file.disagreements.map((d) => `- line ${d.line} (${d.kind}): ${cell(d.message)}`),
        '',
      );
  }
  return `${out.join('\n')}\n`;
}

export function formatTrace(result: TraceResult, format: TraceFormat): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  return format === 'markdown' ? formatMarkdown(result) : formatPretty(result);
}
