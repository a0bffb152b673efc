// `pgphase demo`
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Io } from './io.js';

export function demoCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description(
      'walk a rename-column migration through every phase on an embedded PostgreSQL while two application versions run',
    )
    .option('--rows <n>', 'rows in the demo table', '100000')
    .option('--database-url <url>', 'use this (empty, disposable) database instead of an embedded one')
    .action(async (flags: { rows: string; databaseUrl?: string }) => {
      if (!/^\d+$/.test(flags.rows) || Number(flags.rows) < 1)
        throw new UsageError(`--rows ${flags.rows}: expected a whole number of at least 1`);
      const { demo } = await import('../index.js');
      const errors = await demo({
        rows: Number(flags.rows),
        print: (line) => io.stdout(`${line}\n`),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
      });
      setExit(errors === 0 ? 0 : 1);
    });
}
