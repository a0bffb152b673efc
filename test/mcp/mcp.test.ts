// `pgphase mcp` driven by the MCP SDK's client over stdio: the tools as an agent sees them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { call, mcpClient } from './client.js';

const rulesOf = (text: string) =>
  (
    JSON.parse(text) as { files: Array<{ findings: Array<{ rule: string; line: number; severity: string }> }> }
  ).files.flatMap((f) => f.findings);

describe('pgphase mcp', () => {
  let root: string;
  let client: Client;
  beforeAll(async () => {
    root = tempTree({
      // golang-migrate runs a file as one query string: an implicit transaction
      'db/000001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'db/000001_users.down.sql': 'DROP TABLE users;\n',
      'db/000002_email.up.sql': "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email text;\n",
      'db/000002_email.down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
      'plain/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
      'plain/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
    });
    client = await mcpClient(root);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('lists its four tools, each with a JSON Schema of its arguments', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['explain_rule', 'lint_file', 'lint_sql', 'plan_migration']);
    const lintSql = tools.find((t) => t.name === 'lint_sql')!;
    expect(lintSql.inputSchema.type).toBe('object');
    expect(lintSql.inputSchema.required).toEqual(['sql']);
    expect(Object.keys(lintSql.inputSchema.properties ?? {}).sort()).toEqual(['layout', 'path', 'pgVersion', 'sql']);
  });

  it("lint_sql with a path checks a migration not written yet as the next one of its directory, in its tool's transaction model", async () => {
    const sql = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n";
    const placed = await call(client, 'lint_sql', { sql, path: 'db/000003_email_index.up.sql' });
    expect(placed.isError).toBe(false);
    expect(JSON.parse(placed.text).context).toBe(
      'checked as db/000003_email_index.up.sql in db (golang-migrate, in a transaction), after 2 earlier migrations',
    );
    // one query string of two statements is an implicit transaction, where CONCURRENTLY fails
    expect(rulesOf(placed.text)).toContainEqual(
      expect.objectContaining({ rule: 'concurrently-in-transaction', line: 2, severity: 'error' }),
    );
    const alone = await call(client, 'lint_sql', { sql });
    expect(JSON.parse(alone.text).context).toMatch(/^checked on its own/);
    expect(rulesOf(alone.text).map((f) => f.rule)).not.toContain('concurrently-in-transaction');
  });

  it('lint_sql knows the tables of the earlier migrations', async () => {
    const sql = 'ALTER TABLE users ADD COLUMN age integer NOT NULL;\n';
    const placed = rulesOf((await call(client, 'lint_sql', { sql, path: 'plain/003_age.sql' })).text);
    expect(placed).toContainEqual(expect.objectContaining({ rule: 'add-required-column', severity: 'error', line: 1 }));
    // a version pgphase does not support is refused, with the argument named
    const versioned = await call(client, 'lint_sql', { sql, path: 'plain/003_age.sql', pgVersion: 10 });
    expect(versioned).toEqual({ isError: true, text: 'lint_sql: pgVersion: Too small: expected number to be >=11' });
  });

  it('lint_file reports what `pgphase lint` reports', async () => {
    const answer = await call(client, 'lint_file', { path: 'plain/002_rename.sql' });
    const cli = JSON.parse(runCli(['lint', '--format', 'json', 'plain/002_rename.sql'], { cwd: root }).stdout) as {
      files: Array<{ findings: Array<{ rule: string; location: { line: number } }> }>;
    };
    const expected = cli.files.flatMap((f) => f.findings.map((x) => [x.rule, x.location.line]));
    expect(expected.length).toBeGreaterThan(0);
    expect(rulesOf(answer.text).map((f) => [f.rule, f.line])).toEqual(expected);
  });

  it("explain_rule returns the rule's page; an unknown rule is an error naming the rules", async () => {
    const known = await call(client, 'explain_rule', { rule: 'add-required-column' });
    expect(known.isError).toBe(false);
    expect(known.text).toMatch(/^# add-required-column\n/);
    expect(known.text).toContain('## Why');
    expect(known.text).toContain('category: breaks-old-code; default severity: error');
    const unknown = await call(client, 'explain_rule', { rule: 'add-colum' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/^unknown rule "add-colum"; the rules are: .*add-required-column/);
  });

  it('plan_migration returns the phase files and writes nothing', async () => {
    const before = readdirSync(join(root, 'plain'));
    const answer = await call(client, 'plan_migration', { path: 'plain/002_rename.sql' });
    expect(answer.isError, answer.text).toBe(false);
    const plan = JSON.parse(answer.text) as {
      written: boolean;
      phases: Array<{ phase: string; file: string; sql: string }>;
    };
    expect(plan.written).toBe(false);
    expect(plan.phases.map((p) => p.phase)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect(plan.phases[0]!.sql).toContain('ADD COLUMN IF NOT EXISTS "full_name" text');
    expect(plan.phases[3]!.sql).toContain('DROP COLUMN "name"');
    expect(readdirSync(join(root, 'plain'))).toEqual(before);
  });

  it('bad arguments are one line in an error result; an unknown tool is a protocol error', async () => {
    expect(await call(client, 'lint_sql', { path: 'x.sql' })).toEqual({
      isError: true,
      text: 'lint_sql: sql: Invalid input: expected string, received undefined',
    });
    expect(await call(client, 'lint_file', { path: 'nowhere.sql' })).toEqual({
      isError: true,
      text: `${join(root, 'nowhere.sql')}: no such file or directory`,
    });
    await expect(client.callTool({ name: 'lint', arguments: {} })).rejects.toThrow(/unknown tool "lint"/);
  });
});
