// The reports of `check`: pure functions from a CheckResult to text. pretty for a terminal,
// json (the result itself, versioned; README "pgphase check"), markdown for a pull request comment.
// It imports nothing of pgphase's but types: the CLI declares its formats at start-up.
import { Chalk } from 'chalk';
import type { AppVersion, CheckResult, QueryResult, SetSummary } from './check.js';

export const CHECK_FORMATS = ['pretty', 'json', 'markdown'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** A query on one line, cut to `max` characters. */
export function shorten(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

const NAME: Record<AppVersion, string> = { old: 'V', new: 'V+1' };
/** Rows of the queries × points table a report shows at most. */
const TABLE_ROWS = 25;
/** Entries of each list (failures, lost index paths, parameter type changes) a report shows at most. */
const LIST_ENTRIES = 50;

/** The first LIST_ENTRIES entries, and a line saying how many more when there are. */
function capped<T>(list: T[], line: (entry: T) => string[], more: (n: number) => string): string[] {
  const out = list.slice(0, LIST_ENTRIES).flatMap(line);
  if (list.length > LIST_ENTRIES) out.push(more(list.length - LIST_ENTRIES));
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function setLine(version: AppVersion, set: SetSummary): string {
  const dropped = [
    set.duplicates && plural(set.duplicates, 'duplicate'),
    set.own && `${set.own} of pgphase's own`,
    set.utility && `${plural(set.utility, 'utility statement')} skipped`,
    set.unparsed && `${set.unparsed} that do not parse`,
    set.unchecked.length &&
      `${set.unchecked.length} not checked, ${version === 'old' ? 'failing before the migration' : 'working at no point'}`,
  ].filter(Boolean);
  return `${NAME[version]}: ${plural(set.checked, 'query', 'queries')} checked of ${plural(set.read, 'statement')} read${dropped.length ? ` (${dropped.join(', ')})` : ''}`;
}

/** Where the version runs: `runs from before to after backfill`. */
function windowText(result: CheckResult, version: AppVersion): string {
  const { from, to } = result.windows[version];
  const label = (i: number) => result.points[i]!.label;
  return from === to ? `runs ${label(from)}` : `runs from ${label(from)} to ${label(to)}`;
}

/** A cell of the queries × points table: `ok`/`FAIL` where the version runs, `·`/`x` where it does not. */
function cell(result: CheckResult, q: QueryResult, i: number): string {
  const { from, to } = result.windows[q.version];
  const failed = q.at[i]!.error !== undefined;
  if (i >= from && i <= to) return failed ? 'FAIL' : 'ok';
  return failed ? 'x' : '·';
}

/** The queries that fail at some point, where their version runs or not. */
function tableRows(result: CheckResult): QueryResult[] {
  return result.queries.filter((q) => q.at.some((o) => o.error !== undefined));
}

function verdict(result: CheckResult): string {
  const failing = (v: AppVersion) => new Set(result.failures.filter((f) => f.version === v).map((f) => f.query)).size;
  const parts = [`${plural(failing('old'), 'query', 'queries')} of V fail where V runs`];
  if (result.sets.new) parts.push(`${plural(failing('new'), 'query', 'queries')} of V+1 where V+1 runs`);
  parts.push(
    plural(result.lostIndexes.length, 'lost index path'),
    plural(result.paramChanges.length, 'parameter type change'),
  );
  return parts.join(', ');
}

export function formatCheck(
  result: CheckResult,
  format: CheckFormat,
  options: { color: boolean } = { color: false },
): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'markdown') return formatMarkdown(result);
  return formatPretty(result, options.color);
}

function formatPretty(result: CheckResult, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [];
  out.push(c.bold(`pgphase check ${result.target.path} (${result.target.kind}) on PostgreSQL ${result.postgres}`));
  out.push(`points: ${result.points.map((p) => p.label).join(' · ')}`);
  for (const version of ['old', 'new'] as const) {
    const set = result.sets[version];
    if (!set) continue;
    out.push(`${setLine(version, set)}; ${windowText(result, version)}`);
    for (const u of set.unparsedExamples.slice(0, 3)) out.push(c.dim(`  does not parse: ${u}`));
    for (const u of set.unchecked.slice(0, 3))
      out.push(c.dim(`  not checked: ${shorten(u.query, 60)} (${u.origin}): ${u.error}`));
    if (set.unchecked.length > 3)
      out.push(c.dim(`  … and ${set.unchecked.length - 3} more not checked (--format json lists them)`));
  }
  // with two points the failures say it all; a plan's table shows where each query stops working
  const rows = result.points.length > 2 ? tableRows(result) : [];
  if (rows.length) {
    const heads = result.points.map((p) => p.name);
    const widths = heads.map((h) => Math.max(h.length, 4));
    out.push(
      '',
      c.bold('queries that fail at some point') + c.dim(' (ok/FAIL where the version runs, ·/x where it does not)'),
    );
    out.push(`     ${heads.map((h, i) => h.padEnd(widths[i]!)).join('  ')}  query`);
    for (const q of rows.slice(0, TABLE_ROWS)) {
      const cells = result.points.map((_, i) => {
        const text = cell(result, q, i).padEnd(widths[i]!);
        return text.startsWith('FAIL')
          ? c.red(text)
          : text.startsWith('x') || text.startsWith('·')
            ? c.dim(text)
            : text;
      });
      out.push(`${NAME[q.version].padEnd(3)}  ${cells.join('  ')}  ${shorten(q.query, 70)}`);
    }
    if (rows.length > TABLE_ROWS) out.push(c.dim(`… and ${rows.length - TABLE_ROWS} more`));
  }
  const more = (n: number) => c.dim(`… and ${n} more (--format json lists every one)`);
  if (result.failures.length) {
    out.push('', c.bold('failures'));
    out.push(
      ...capped(
        result.failures,
        (f) => [
          `${c.red('✗')} ${NAME[f.version]} ${f.point}: ${shorten(f.query)} ${c.dim(`(${f.origin})`)}`,
          `    ${f.error}`,
        ],
        more,
      ),
    );
  }
  if (result.lostIndexes.length) {
    out.push('', c.bold('lost index paths') + c.dim(' (generic plans on the shadow database)'));
    out.push(
      ...capped(
        result.lostIndexes,
        (l) => [
          `${c.yellow('!')} ${NAME[l.version]} ${l.point}: ${shorten(l.query)}: scans ${l.table} sequentially, used index ${l.index} before`,
        ],
        more,
      ),
    );
  }
  if (result.paramChanges.length) {
    out.push('', c.bold('parameter types changed'));
    out.push(
      ...capped(
        result.paramChanges,
        (p) => {
          const changed = p.to
            .map((t, i) => (t === p.from[i] ? undefined : `$${i + 1} ${p.from[i] ?? '?'} → ${t}`))
            .filter(Boolean);
          return [`${c.yellow('~')} ${NAME[p.version]} ${p.point}: ${shorten(p.query)}: ${changed.join(', ')}`];
        },
        more,
      ),
    );
  }
  if (!result.plans)
    out.push('', c.dim(`plans not compared: PostgreSQL ${result.postgres} has no plan_cache_mode (12+)`));
  out.push('', `${result.failures.length ? c.red('✗') : c.green('✓')} ${verdict(result)}`);
  return `${out.join('\n')}\n`;
}

/** Keeps text inside one table cell. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');
}

function formatMarkdown(result: CheckResult): string {
  const out: string[] = [`## pgphase check: \`${result.target.path}\``, ''];
  out.push(
    `${result.failures.length ? '❌' : '✅'} ${verdict(result)} (PostgreSQL ${result.postgres}; points: ${result.points.map((p) => p.label).join(', ')}).`,
    '',
  );
  for (const version of ['old', 'new'] as const) {
    const set = result.sets[version];
    if (set) out.push(`- ${setLine(version, set)}; ${windowText(result, version)}`);
  }
  const more = (n: number) => `\n… and ${n} more (\`--format json\` lists every one).`;
  if (result.failures.length) {
    out.push('', '| Version | Point | Query | Error |', '| --- | --- | --- | --- |');
    out.push(
      ...capped(
        result.failures,
        (f) => [`| ${NAME[f.version]} | ${f.point} | \`${md(shorten(f.query))}\` | ${md(f.error)} |`],
        more,
      ),
    );
  }
  if (result.lostIndexes.length) {
    out.push('', '**Lost index paths** (generic plans on the shadow database):', '');
    out.push(
      ...capped(
        result.lostIndexes,
        (l) => [
          `- ${NAME[l.version]} ${l.point}: \`${md(shorten(l.query))}\` scans \`${l.table}\` sequentially, used \`${l.index}\` before`,
        ],
        more,
      ),
    );
  }
  if (result.paramChanges.length) {
    out.push('', '**Parameter types changed:**', '');
    out.push(
      ...capped(
        result.paramChanges,
        (p) => [
          `- ${NAME[p.version]} ${p.point}: \`${md(shorten(p.query))}\`: ${p.from.join(', ')} → ${p.to.join(', ')}`,
        ],
        more,
      ),
    );
  }
  const rows = tableRows(result);
  if (rows.length) {
    out.push(
      '',
      '<details><summary>Queries that fail at some point (ok/FAIL where the version runs, ·/x where it does not)</summary>',
      '',
    );
    out.push(
      `| Version | ${result.points.map((p) => p.label).join(' | ')} | Query |`,
      `| --- | ${result.points.map(() => '---').join(' | ')} | --- |`,
    );
    for (const q of rows.slice(0, TABLE_ROWS))
      out.push(
        `| ${NAME[q.version]} | ${result.points.map((_, i) => cell(result, q, i)).join(' | ')} | \`${md(shorten(q.query))}\` |`,
      );
    if (rows.length > TABLE_ROWS)
      out.push('', `… and ${rows.length - TABLE_ROWS} more (\`--format json\` lists every query).`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
