// The command-line program: commander commands over the library API. Maps errors to
// exit codes (CLI.md): 0 clean, 1 findings / failed phase, 2 usage or input error.
// A process loads only what its command needs (`verify` runs at every application start-up,
// and index.ts brings the rule registry, the parser and the reporters): a command's module
// declares its options and help, and its action imports the implementation when it runs.
import { Command, CommanderError } from 'commander';
import { oneLine, PgphaseError } from '../errors.js';
import { version } from '../meta.js';
import { type Io, processIo } from './io.js';

type Declare = (program: Command, io: Io, setExit: (code: number) => void) => void;

/** The module declaring each command, in the order help lists them. */
const COMMANDS: Array<[names: string[], load: () => Promise<Declare>]> = [
  [['lint'], async () => (await import('./lint.js')).lintCommand],
  [['plan'], async () => (await import('./plan.js')).planCommand],
  [['prove'], async () => (await import('./prove.js')).proveCommand],
  [['check'], async () => (await import('./check.js')).checkCommand],
  [['trace'], async () => (await import('./trace.js')).traceCommand],
  [['stats'], async () => (await import('./stats.js')).statsCommand],
  [['run', 'rollback'], async () => (await import('./run.js')).runCommand],
  [['verify'], async () => (await import('./verify.js')).verifyCommand],
  [['status'], async () => (await import('./status.js')).statusCommand],
  [['demo'], async () => (await import('./demo.js')).demoCommand],
  [['rules'], async () => (await import('./rules.js')).rulesCommand],
  [['lsp'], async () => (await import('./lsp.js')).lspCommand],
  [['mcp'], async () => (await import('./mcp.js')).mcpCommand],
];

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode = 0;
  const program = new Command('pgphase')
    .description(
      'Make PostgreSQL schema changes safe to ship while the old and the new application version run side by side',
    )
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

  // Only the invoked command is declared; without one (help, --version) or with an unknown one,
  // all are, for help to list them. The program's options take no value: the first other
  // argument names the command.
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const invoked = COMMANDS.filter(([names]) => name !== undefined && names.includes(name));
  const declared = await Promise.all((invoked.length ? invoked : COMMANDS).map(([, load]) => load()));
  for (const declare of declared) declare(program, io, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // one line: commander puts its "(Did you mean …?)" on a line of its own
      io.stderr(
        `pgphase: ${error.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')} (see \`pgphase --help\`)\n`,
      );
      return 2;
    }
    if (error instanceof PgphaseError) {
      io.stderr(`pgphase: ${error.message}\n`);
      if (debug && error.stack) io.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    const e = error as Error;
    io.stderr(
      `pgphase: internal error: ${oneLine(e.message)}${debug ? '' : ' (run with --debug for the stack trace)'}\n`,
    );
    if (debug && e.stack) io.stderr(`${e.stack}\n`);
    return 2;
  }
}
