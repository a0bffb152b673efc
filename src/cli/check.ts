// `pgphase check <migration-or-plan-dir> --queries <source>`
import { Option, type Command } from 'commander';
import { CHECK_FORMATS, type CheckFormat } from '../check/format.js';
import { UsageError } from '../errors.js';
import { useColor } from './lint.js';
import type { Io } from './io.js';

interface CheckFlags {
  queries: string[];
  newQueries: string[];
  queriesFromUrl?: string;
  history?: string;
  schema?: string;
  databaseUrl?: string;
  shadowUrl?: string;
  format?: CheckFormat;
  maxWarnings?: string;
}

const collect = (value: string, all: string[]) => [...all, value];

export function checkCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('check')
    .description(
      "prove a migration or a plan against the application's own queries on a shadow database: V must work until contract, V+1 from its deploy point on",
    )
    .argument('<migration-or-plan-dir>', 'a migration file, or a plan directory (with plan.json)')
    .option(
      '--queries <source>',
      "the running version's queries: a .sql file (`;`-separated, $n parameters), a pg_stat_statements export (.csv, .json) or a PostgreSQL log (.log); repeatable",
      collect,
      [],
    )
    .option(
      '--queries-from-url <url>',
      "read the running version's queries from pg_stat_statements of this database (read-only)",
    )
    .option('--new-queries <source>', "the next version's queries, in the same formats; repeatable", collect, [])
    .option(
      '--history <dir>',
      'earlier migrations, run in order, as the starting schema (default: the history the migration is in)',
    )
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the starting schema')
    .option('--database-url <url>', 'read the starting schema from a live database (read-only)')
    .option(
      '--shadow-url <url>',
      'the PostgreSQL server for the shadow database (default: PGPHASE_SHADOW_URL, else an embedded PostgreSQL)',
    )
    .addOption(new Option('--format <format>', 'output format (default: pretty)').choices(CHECK_FORMATS))
    .option('--max-warnings <n>', 'exit 1 when there are more lost index paths and parameter type changes than this')
    .action(async (target: string, flags: CheckFlags) => {
      if (flags.queries.length === 0 && flags.queriesFromUrl === undefined)
        throw new UsageError(
          "check needs the running version's queries: give --queries <file> or --queries-from-url <url>",
        );
      if ([flags.history, flags.schema, flags.databaseUrl].filter((f) => f !== undefined).length > 1)
        throw new UsageError('give the starting schema with one of --history, --schema or --database-url');
      if (flags.maxWarnings !== undefined && !/^\d+$/.test(flags.maxWarnings))
        throw new UsageError(`--max-warnings ${flags.maxWarnings}: expected a whole number`);
      const maxWarnings = flags.maxWarnings === undefined ? undefined : Number(flags.maxWarnings);
      const { check, formatCheck, stopShadowServer } = await import('../index.js');
      const shadowUrl = flags.shadowUrl ?? io.env.PGPHASE_SHADOW_URL;
      const result = await check({
        target,
        cwd: io.cwd,
        queries: {
          files: flags.queries,
          ...(flags.queriesFromUrl !== undefined && { statStatementsUrl: flags.queriesFromUrl }),
        },
        ...(flags.newQueries.length > 0 && { newQueries: { files: flags.newQueries } }),
        ...(flags.history !== undefined && { history: flags.history }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
        ...(shadowUrl && { shadowUrl }),
      }).finally(stopShadowServer);
      io.stdout(formatCheck(result, flags.format ?? 'pretty', { color: useColor(io) }));
      const warnings = result.lostIndexes.length + result.paramChanges.length;
      setExit(result.failures.length > 0 || (maxWarnings !== undefined && warnings > maxWarnings) ? 1 : 0);
    });
}
