// `pgphase lsp`: the language server, over standard input and output.
import type { Command } from 'commander';
import type { Io } from './io.js';

export function lspCommand(program: Command, io: Io): void {
  program
    .command('lsp')
    .description('run the language server (diagnostics, hover, code actions) over standard input and output')
    .option('--stdio', 'talk over standard input and output (the only transport; editors pass it)')
    .action(async () => {
      const [{ createConnection }, { serve }, { rules }] = await Promise.all([
        import('vscode-languageserver/node'),
        import('../lsp/server.js'),
        import('../index.js'),
      ]);
      serve(createConnection(process.stdin, process.stdout), rules, io.cwd);
      // the server runs until the client says exit (the connection then ends the process)
      await new Promise<never>(() => undefined);
    });
}
