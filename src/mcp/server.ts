// The MCP server of `pgphase mcp`: JSON-RPC 2.0 over standard input and output, one message a
// line (the protocol's stdio transport), answering initialize, ping, tools/list and tools/call.
// Small enough to write here rather than take the SDK, whose server brings an HTTP stack.
import { createInterface } from 'node:readline';
import { version } from '../meta.js';
import { callTool, TOOLS } from './tools.js';

/** Protocol versions this server speaks, newest first; the tools are the same in each. */
const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

interface Request {
  jsonrpc: '2.0';
  id?: string | number | null;
  method: string;
  params?: Record<string, unknown>;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function answer(request: Request, cwd: string): Promise<unknown> {
  switch (request.method) {
    case 'initialize': {
      const asked = request.params?.protocolVersion;
      return {
        protocolVersion: PROTOCOL_VERSIONS.includes(asked as string) ? asked : PROTOCOL_VERSIONS[0],
        capabilities: { tools: {} },
        serverInfo: { name: 'pgphase', version },
        instructions:
          'Check PostgreSQL migrations before proposing them: lint_sql or lint_file for the findings (each names the lock and the safe form), explain_rule for a rule, plan_migration to split a risky migration into expand / backfill / contract phases.',
      };
    }
    case 'ping':
      return {};
    case 'tools/list':
      return { tools: TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })) };
    case 'tools/call': {
      const name = request.params?.name;
      if (typeof name !== 'string' || !TOOLS.some((t) => t.name === name))
        throw new RpcError(
          -32602,
          `unknown tool ${JSON.stringify(name)}; the tools are ${TOOLS.map((t) => t.name).join(', ')}`,
        );
      return callTool(name, request.params?.arguments ?? {}, cwd);
    }
    default:
      throw new RpcError(-32601, `method not found: ${request.method}`);
  }
}

/** Serves until the input ends. `cwd` is what relative paths in tool arguments are relative to. */
export async function serveMcp(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  cwd: string,
): Promise<void> {
  const send = (message: unknown): void => {
    output.write(`${JSON.stringify(message)}\n`);
  };
  const pending = new Set<Promise<void>>();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      send({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'parse error: a message is one line of JSON' },
      });
      continue;
    }
    // notifications (initialized, cancelled) and responses to requests this server never sends need no answer
    if (request.id === undefined || typeof request.method !== 'string') continue;
    const id = request.id;
    const done = answer(request, cwd).then(
      (result) => send({ jsonrpc: '2.0', id, result }),
      (error: unknown) =>
        send({
          jsonrpc: '2.0',
          id,
          error:
            error instanceof RpcError
              ? { code: error.code, message: error.message }
              : { code: -32603, message: `internal error: ${(error as Error).message}` },
        }),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  }
  await Promise.all(pending);
}
