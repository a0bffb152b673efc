// An MCP client (the official SDK's) connected over stdio to `pgphase mcp` from the built CLI,
// as a coding agent connects to it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from '../helpers/cli.js';

export async function mcpClient(cwd: string, env: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'pgphase-test', version: '1.0.0' });
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      cwd,
      env: { ...inherited, ...env },
      stderr: 'pipe',
    }),
  );
  return client;
}

/** The text of a tool's answer, and whether it is an error. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; isError: boolean }> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: Array<{ type: string; text: string }>;
    isError?: boolean;
  };
  return { text: result.content.map((c) => c.text).join(''), isError: result.isError === true };
}
