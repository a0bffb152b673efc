// The "plan this migration" code action of `pgphase lsp`: `pgphase plan` of the file as its
// project sees it (history replayed), proved on PostgreSQL, the plan's README shown.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionRequest, ExecuteCommandRequest, type CodeAction } from 'vscode-languageserver-protocol/node';
import { afterAll, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { LspClient } from './client.js';

const db = await testDatabase();
const root = tempTree({
  'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
  'migrations/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
});
const client = new LspClient({ PGPHASE_SHADOW_URL: db.url });
await client.initialize(root);
afterAll(() => client.close());

async function planAction(uri: string): Promise<CodeAction> {
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  return actions.find((a) => a.title === 'Plan this migration (pgphase plan)')!;
}

it('plans the migration next to it, proved, and shows the plan', async () => {
  const path = join(root, 'migrations/002_rename.sql');
  const { uri } = await client.open(path, readFileSync(path, 'utf8'));
  const action = await planAction(uri);
  expect(action.kind).toBe('source');
  const message = await client.connection.sendRequest(ExecuteCommandRequest.type, {
    command: action.command!.command,
    arguments: action.command!.arguments!,
  });
  const dir = join(root, 'migrations/002_rename');
  expect(message).toBe(
    `plan 002_rename written to ${dir}: 1-expand.sql: 1 step; 2-trigger.sql: 2 steps; 3-backfill.sql: 0 steps, 1 backfill (deploy first: the new version, which reads and writes "full_name"); 4-contract.sql: 2 steps (deploy first: no instance of the old version (which uses "name") is running)`,
  );
  expect(
    (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { proof?: { outcome?: string } }).proof,
  ).toBeDefined();
  expect(client.shown).toContainEqual({ uri: pathToFileURL(join(dir, 'README.md')).href, takeFocus: false });
});

it('refuses a file whose edits are not saved, in one line', async () => {
  const path = join(root, 'migrations/003_drop.sql');
  const { uri } = await client.open(path, 'ALTER TABLE users DROP COLUMN full_name;\n');
  const action = await planAction(uri);
  const message = await client.connection.sendRequest(ExecuteCommandRequest.type, {
    command: action.command!.command,
    arguments: action.command!.arguments!,
  });
  expect(message).toBe(`pgphase plan: ${path}: save the file before planning it`);
  expect(existsSync(join(root, 'migrations/003_drop'))).toBe(false);
});
