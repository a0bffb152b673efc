// `pgphase prove <plan-dir>`
import type { Command } from 'commander';
import type { Io } from './io.js';

interface ProveFlags {
  history?: string;
  schema?: string;
  databaseUrl?: string;
  shadowUrl?: string;
}

export function proveCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('prove')
    .description(
      'prove a plan again on a shadow database: the migration as written and the plan phase by phase must give the same schema and rows',
    )
    .argument('<plan-dir>', 'the plan directory (with plan.json)')
    .option(
      '--history <dir>',
      'earlier migrations, run in order, as the starting schema (default: the history the migration is in)',
    )
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the starting schema')
    .option('--database-url <url>', 'read the starting schema from a live database (read-only)')
    .option(
      '--shadow-url <url>',
      'the PostgreSQL server for the proof (default: PGPHASE_SHADOW_URL, else an embedded PostgreSQL)',
    )
    .action(async (planDir: string, flags: ProveFlags) => {
      const { prove, stopShadowServer } = await import('../index.js');
      const shadowUrl = flags.shadowUrl ?? io.env.PGPHASE_SHADOW_URL;
      const { summary, disproved } = await prove({
        planDir,
        cwd: io.cwd,
        ...(flags.history !== undefined && { history: flags.history }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
        ...(shadowUrl && { shadowUrl }),
      }).finally(stopShadowServer);
      io.stdout(`${summary}\n`);
      if (disproved) setExit(1);
    });
}
