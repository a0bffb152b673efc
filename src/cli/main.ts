// The command-line program: commander commands over the library API. Maps errors to
// exit codes (CLI.md): 0 clean, 1 findings / failed phase, 2 usage or input error.
import { Command, CommanderError } from 'commander';
import { oneLine, PgphaseError, version } from '../index.js';
import { lintCommand } from './lint.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { demoCommand } from './demo.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';
import { rulesCommand } from './rules.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  cwd: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const processIo = (): Io => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: readStdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
});

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode = 0;
  const program = new Command('pgphase')
    .description('Make PostgreSQL schema changes safe to ship while the old and the new application version run side by side')
    .version(version, '-v, --version')
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      // commander's own errors become our one-line format below
      writeErr: (text) => {
        if (!text.startsWith('error:')) io.stderr(text);
      },
    })
    .showHelpAfterError(false);

  lintCommand(program, io, (code) => (exitCode = code));
  planCommand(program, io);
  runCommand(program, io);
  verifyCommand(program, io, (code) => (exitCode = code));
  statusCommand(program, io);
  demoCommand(program, io, (code) => (exitCode = code));
  rulesCommand(program, io);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      io.stderr(`pgphase: ${error.message.replace(/^error:\s*/, '')} (see \`pgphase --help\`)\n`);
      return 2;
    }
    if (error instanceof PgphaseError) {
      io.stderr(`pgphase: ${error.message}\n`);
      if (debug && error.stack) io.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    const e = error as Error;
    io.stderr(`pgphase: internal error: ${oneLine(e.message)}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug && e.stack) io.stderr(`${e.stack}\n`);
    return 2;
  }
}
