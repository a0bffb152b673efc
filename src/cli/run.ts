// `pgphase run <plan-dir> <phase>` · `pgphase run <plan-dir> --all` · `pgphase rollback <plan-dir> <phase>`
import type { Command } from 'commander';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { RunEvent, RunOptions } from '../index.js';
import { type PhaseName, PHASES } from '../plan/types.js';
import type { Io } from './io.js';

interface RunFlags {
  all?: boolean;
  dryRun?: boolean;
  lockTimeout?: string;
  retries?: string;
  batchSize?: string;
  pauseMs?: string;
  targetBatchMs?: string;
  backfillTriggers?: string;
  wait?: string;
  databaseUrl?: string;
}

function count(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} ${value}: expected a whole number of at least ${min}`);
  return Number(value);
}

/** Progress and retries on stderr: a line per event (JSON lines when stderr is not a terminal). */
function reporter(io: Io): (event: RunEvent) => void {
  return (e) => {
    if (e.type === 'would-run') return io.stdout(`-- ${e.step}\n${e.sql};\n`);
    if (!io.isTTY) return io.stderr(`${JSON.stringify(e)}\n`);
    switch (e.type) {
      case 'step':
        return io.stderr(`  ✓ ${e.step} (${e.ms} ms${e.attempts > 1 ? `, ${e.attempts} attempts` : ''})\n`);
      case 'retry':
        return io.stderr(
          `  … ${e.step}: lock timeout, retry ${e.attempt} in ${e.delayMs} ms${e.blockers.length ? `; blocked by ${e.blockers.join('; ')}` : ''}\n`,
        );
      case 'triggers':
        return io.stderr(
          `  backfill ${e.backfill + 1}: the application's triggers ${e.triggers.join(', ')} on ${e.table} ${e.mode === 'skip' ? 'are kept from firing on its batches (--backfill-triggers fire lets them fire)' : 'fire on every batch'}\n`,
        );
      case 'invalid-index':
        return io.stderr(`  dropped invalid index ${e.index} left by a failed build\n`);
      case 'batch': {
        // a progress bar redrawn in place
        const eta =
          e.total && e.rowsPerSecond ? Math.max(0, Math.round((e.total - e.done) / e.rowsPerSecond)) : undefined;
        const share = e.total ? Math.min(1, e.done / e.total) : 0;
        const bar = e.total ? `[${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ` : '';
        return io.stderr(
          `\r  backfill ${e.backfill + 1}: ${bar}${e.done}${e.total ? ` / ~${e.total}` : ''} rows, ${e.rowsPerSecond} rows/s${eta !== undefined ? `, ETA ${eta}s` : ''}   `,
        );
      }
      case 'phase':
        return io.stderr(`\n${e.phase}: ${e.outcome}${e.ms ? ` in ${e.ms} ms` : ''}\n`);
    }
  };
}

function runOptions(planDir: string, flags: RunFlags, io: Io): RunOptions {
  const wait = flags.wait === undefined ? 0 : parseDuration(flags.wait);
  if (wait === undefined) throw new UsageError(`--wait ${flags.wait}: expected a duration like 30s or 2min`);
  if (flags.lockTimeout !== undefined && !parseDuration(flags.lockTimeout))
    throw new UsageError(
      `--lock-timeout ${flags.lockTimeout}: expected a duration of at least 1ms like 2s or 500ms (0 would wait for locks forever)`,
    );
  const options: RunOptions = {
    planDir,
    cwd: io.cwd,
    waitMs: wait,
    onEvent: reporter(io),
    dryRun: flags.dryRun === true,
  };
  const retries = count('--retries', flags.retries, 0);
  const batchSize = count('--batch-size', flags.batchSize, 1);
  const pauseMs = count('--pause-ms', flags.pauseMs, 0);
  const targetBatchMs = count('--target-batch-ms', flags.targetBatchMs, 1);
  if (retries !== undefined) options.retries = retries;
  if (batchSize !== undefined) options.batchSize = batchSize;
  if (pauseMs !== undefined) options.pauseMs = pauseMs;
  if (targetBatchMs !== undefined) options.targetBatchMs = targetBatchMs;
  if (flags.lockTimeout !== undefined) options.lockTimeout = flags.lockTimeout;
  if (flags.backfillTriggers !== undefined) {
    if (flags.backfillTriggers !== 'fire' && flags.backfillTriggers !== 'skip')
      throw new UsageError(`--backfill-triggers ${flags.backfillTriggers}: expected fire or skip`);
    options.backfillTriggers = flags.backfillTriggers;
  }
  if (flags.databaseUrl !== undefined) options.databaseUrl = flags.databaseUrl;
  return options;
}

export function runCommand(program: Command, io: Io): void {
  const withRunFlags = (c: Command) =>
    c
      .option('--database-url <url>', 'the database (else DATABASE_URL, else PG* variables)')
      .option('--lock-timeout <duration>', "each step's lock_timeout (default: the plan's, 2s)")
      .option('--retries <n>', 'retries of a step that times out on a lock (default 10)')
      .option('--wait <duration>', "how long to wait for another runner's lock (default 0)");
  withRunFlags(
    program
      .command('run')
      .description('apply one phase of a plan (or, for development, --all)')
      .argument('<plan-dir>', 'a plan directory written by `pgphase plan`')
      .argument('[phase]', PHASES.join(' | '))
      .option('--all', 'apply every phase in order (development only)')
      .option('--dry-run', 'check everything and say what would run, without running it')
      .option('--batch-size <n>', 'fixed backfill batch size (default: adaptive, from the plan)')
      .option('--target-batch-ms <n>', 'adaptive batches aim at this many ms (default 100)')
      .option('--pause-ms <n>', 'pause between backfill batches')
      .option(
        '--backfill-triggers <mode>',
        "the application's triggers on backfill batches: skip (default: kept from firing) or fire",
      ),
  ).action(async (planDir: string, phase: string | undefined, flags: RunFlags) => {
    // the library checks the phase name and that exactly one of a phase and --all is given
    const { run } = await import('../index.js');
    await run({ ...runOptions(planDir, flags, io), phase: phase as PhaseName | undefined, all: flags.all === true });
  });
  withRunFlags(
    program
      .command('rollback')
      .description('undo a phase with its down steps (not contract)')
      .argument('<plan-dir>')
      .argument('<phase>', PHASES.join(' | ')),
  ).action(async (planDir: string, phase: string, flags: RunFlags) => {
    const { rollback } = await import('../index.js');
    await rollback({ ...runOptions(planDir, flags, io), phase: phase as PhaseName });
  });
}
