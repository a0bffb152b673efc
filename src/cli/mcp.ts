// `pgphase mcp`: the MCP server for coding agents, over standard input and output.
import type { Command } from 'commander';
import type { Io } from './io.js';

export function mcpCommand(program: Command, io: Io): void {
  program
    .command('mcp')
    .description(
      'run the MCP server (tools lint_sql, lint_file, explain_rule, plan_migration) over standard input and output',
    )
    .action(async () => {
      const { serveMcp } = await import('../mcp/server.js');
      await serveMcp(process.stdin, process.stdout, io.cwd);
    });
}
