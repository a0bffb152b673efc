// `pgphase stats <url>`
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { Io } from './io.js';

export function statsCommand(program: Command, io: Io): void {
  program
    .command('stats')
    .description(
      "write the sizes of a database's tables (row estimates, table and index sizes, write rate) to a file for `--stats-from`: no data, no connection details",
    )
    .argument('<url>', 'the database (read-only: catalog and statistics views)')
    .option('--output <file>', 'the file to write (default: standard output)')
    .action(async (url: string, flags: { output?: string }) => {
      const { collectStats } = await import('../index.js');
      const text = `${JSON.stringify(await collectStats(url), null, 2)}\n`;
      if (flags.output === undefined) return io.stdout(text);
      try {
        writeFileSync(resolve(io.cwd, flags.output), text);
      } catch (error) {
        throw new InputError(
          `${flags.output}: cannot write the stats file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      const tables = text.match(/"rows":/g)?.length ?? 0;
      io.stderr(`pgphase: wrote the sizes of ${tables} table${tables === 1 ? '' : 's'} to ${flags.output}\n`);
    });
}
