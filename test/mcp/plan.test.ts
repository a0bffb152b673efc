// plan_migration with `write`: the plan written as `pgphase plan` writes it, proved on PostgreSQL.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { call, mcpClient } from './client.js';

const db = await testDatabase();
const root = tempTree({
  'migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text);\n',
  'migrations/002_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
});
const client = await mcpClient(root, { PGPHASE_SHADOW_URL: db.url });
afterAll(() => client.close());

it('plan_migration with write: true writes the plan directory next to the migration, proved', async () => {
  const answer = await call(client, 'plan_migration', { path: 'migrations/002_rename.sql', write: true });
  expect(answer.isError, answer.text).toBe(false);
  const plan = JSON.parse(answer.text) as { dir: string; proof: string; phases: Array<{ file: string; sql: string }> };
  expect(plan.dir).toBe(join(root, 'migrations', '002_rename'));
  expect(plan.proof).toMatch(/^proven on PostgreSQL \d+/);
  for (const phase of plan.phases) expect(readFileSync(join(plan.dir, phase.file), 'utf8')).toBe(phase.sql);
  // a second call refuses to replace it, unless forced
  const again = await call(client, 'plan_migration', { path: 'migrations/002_rename.sql', write: true });
  expect(again).toEqual({ isError: true, text: `${plan.dir}: already exists; pass --force to replace it` });
  const forced = await call(client, 'plan_migration', { path: 'migrations/002_rename.sql', write: true, force: true });
  expect(forced.isError, forced.text).toBe(false);
  expect(existsSync(join(plan.dir, 'plan.json'))).toBe(true);
});
