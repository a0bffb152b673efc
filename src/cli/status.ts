// `pgphase status [--json]`
import type { Command } from 'commander';
import type { PhaseRecord } from '../index.js';
import type { Io } from './io.js';

interface StatusFlags {
  json?: boolean;
  databaseUrl?: string;
}

const HEADER = ['plan', 'phase', 'status', 'steps done', 'backfill rows', 'started', 'by'];

/** `1200/~5000` (done/estimated total) over every backfill of the phase; `-` when it has none. */
function backfillRows(record: PhaseRecord): string {
  if (record.backfill.length === 0) return '-';
  const rows = record.backfill.reduce((n, b) => n + (b.rows ?? 0), 0);
  const totals = record.backfill.map((b) => b.total);
  // the total is the planner's estimate (pg_class.reltuples) taken when the backfill started
  const total = totals.every((t) => typeof t === 'number')
    ? `/~${(totals as number[]).reduce((a, b) => a + b, 0)}`
    : '';
  return `${rows}${record.backfill.every((b) => b.done) ? '' : total}`;
}

/** UTC to the second: 2026-05-01 12:00:00Z. */
const when = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

/** The records as an aligned table, oldest first. */
export function formatStatus(records: readonly PhaseRecord[]): string {
  if (records.length === 0) return 'no plan has run on this database\n';
  const rows = records.map((r) => [
    r.planId,
    r.phase,
    r.status.replace('_', ' '),
    String(r.stepsDone.length),
    backfillRows(r),
    when(new Date(r.startedAt)),
    `${r.runBy?.user ?? '?'}@${r.runBy?.host ?? '?'}`,
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  const notes = records.flatMap((r) => {
    if (r.status === 'failed' && r.lastError) return [`${r.planId} ${r.phase} failed: ${r.lastError.split('\n')[0]}\n`];
    if (r.status === 'interrupted')
      return [
        `${r.planId} ${r.phase} was interrupted (no runner is working on it): re-run \`pgphase run <plan-dir> ${r.phase}\` to resume\n`,
      ];
    return [];
  });
  return [HEADER, ...rows].map(line).join('') + (notes.length ? `\n${notes.join('')}` : '');
}

export function statusCommand(program: Command, io: Io): void {
  program
    .command('status')
    .description('every plan phase recorded in the database: state, when, by whom, backfill progress')
    .option('--json', 'print the records as JSON')
    .option('--database-url <url>', 'the database (else DATABASE_URL, else PG* variables)')
    .action(async (flags: StatusFlags) => {
      const databaseUrl = flags.databaseUrl ?? io.env.DATABASE_URL;
      // the runner's module, not index.js, which would load the rule registry as well
      const { status } = await import('../runner/status.js');
      const records = await status(databaseUrl === undefined ? {} : { databaseUrl });
      io.stdout(flags.json ? `${JSON.stringify(records, null, 2)}\n` : formatStatus(records));
    });
}
