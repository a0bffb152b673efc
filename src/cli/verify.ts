// `pgphase verify <plans-dir> [--wait 60s] [--json]`
import type { Command } from 'commander';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { VerifyResult } from '../index.js';
import type { Io } from './io.js';

interface VerifyFlags {
  wait?: string;
  json?: boolean;
  databaseUrl?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line when compatible, else one line per problem. */
export function formatVerify(result: VerifyResult): string {
  if (!result.compatible) return result.problems.map((p) => `incompatible: ${p.message}\n`).join('');
  const shipped = result.plans.filter((p) => p.shipped).length;
  const newer = result.plans.filter((p) => !p.shipped).length;
  const outside = result.plans.filter((p) => p.outside).length;
  const head =
    shipped === 0
      ? 'this release ships no plans'
      : `the database has what the ${plural(shipped, 'plan')} of this release need${shipped === 1 ? 's' : ''}`;
  return `compatible: ${head}${outside ? ` (${outside} applied outside pgphase: no records, the schema has their objects)` : ''}${newer ? `; ${plural(newer, 'newer plan')} not contracted` : ''}\n`;
}

export function verifyCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description("read-only start-up check: are this release's plans compatible with the database?")
    .argument('<plans-dir>', 'the directory holding the plan directories this release ships')
    .option('--wait <duration>', 'poll until compatible or this time is up, e.g. 60s, 500ms or 2min')
    .option('--json', 'print the result as JSON')
    .option('--database-url <url>', 'the database (else DATABASE_URL, else PG* variables)')
    .action(async (plansDir: string, flags: VerifyFlags) => {
      const wait = flags.wait === undefined ? 0 : parseDuration(flags.wait);
      if (wait === undefined) throw new UsageError(`--wait ${flags.wait}: expected a duration like 60s, 500ms or 2min`);
      const databaseUrl = flags.databaseUrl ?? io.env.DATABASE_URL;
      // the runner's module, not index.js: that would load the rule registry at every application start-up
      const { verify } = await import('../runner/verify.js');
      const result = await verify({ plansDir, cwd: io.cwd, wait, ...(databaseUrl !== undefined && { databaseUrl }) });
      io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerify(result));
      setExit(result.compatible ? 0 : 1);
    });
}
