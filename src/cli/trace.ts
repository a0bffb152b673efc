// `pgphase trace <migration|dir>`
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { LAYOUTS, type LayoutName } from '../discover/names.js';
import type { TraceFormat } from '../index.js';
import type { Io } from './io.js';

interface TraceFlags {
  format?: TraceFormat;
  layout?: LayoutName;
  config?: string;
  schema?: string;
  shadowUrl?: string;
  statsFrom?: string;
  maxLockMs?: string;
}

/** `--max-lock-ms`: a whole number of milliseconds. */
export function maxLockMsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-lock-ms ${value}: expected a whole number of milliseconds`);
  return Number(value);
}

export function traceCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('trace')
    .description(
      'run migrations statement by statement on a shadow database and show the locks, rewrites and scans PostgreSQL really does, compared with lint',
    )
    .argument(
      '<migration>',
      'a migration file (run on the schema of its history) or a migration directory (every migration in order)',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['pretty', 'json', 'markdown']).default('pretty'),
    )
    .addOption(
      new Option('--layout <name>', "the migration tool's layout (default: the config's, else detected)").choices(
        LAYOUTS,
      ),
    )
    .option('--config <file>', 'config file (default: searched upward from the migration)')
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the schema before the history')
    .option(
      '--shadow-url <url>',
      'the PostgreSQL server for the shadow database (default: PGPHASE_SHADOW_URL, else an embedded PostgreSQL)',
    )
    .option(
      '--stats-from <url|file>',
      'table sizes (a database URL, read-only, or a file `pgphase stats` wrote): estimate how long each lock blocks on those tables',
    )
    .option(
      '--max-lock-ms <n>',
      "with --stats-from: a lock estimated to block longer than this is an error (default: the config's maxLockMs, else 1000)",
    )
    .action(async (target: string, flags: TraceFlags) => {
      const maxLockMs = maxLockMsFlag(flags.maxLockMs);
      const { trace, formatTrace, stopShadowServer } = await import('../index.js');
      const shadowUrl = flags.shadowUrl ?? io.env.PGPHASE_SHADOW_URL;
      const result = await trace({
        target,
        cwd: io.cwd,
        ...(flags.layout !== undefined && { layout: flags.layout }),
        ...(flags.config !== undefined && { configFile: flags.config }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(shadowUrl && { shadowUrl }),
        ...(flags.statsFrom !== undefined && { statsFrom: flags.statsFrom }),
        ...(maxLockMs !== undefined && { maxLockMs }),
      }).finally(stopShadowServer);
      io.stdout(await formatTrace(result, flags.format ?? 'pretty'));
      // the migration fails, or holds a lock longer than allowed on the user's tables
      const statements = result.files.flatMap((f) => f.statements);
      if (statements.some((s) => s.error !== undefined || s.estimate?.overLimit)) setExit(1);
    });
}
