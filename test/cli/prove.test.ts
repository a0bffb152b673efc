// `pgphase plan` proves by default and says so; `pgphase prove` runs the proof again and exits 1
// when the plan does not do what the migration does (here: a contract step edited to drop nothing,
// with plan.json and the phase file kept consistent, as a planner bug would write them).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readManifest } from '../../src/plan/manifest.js';
import { phaseFile, sha256 } from '../../src/plan/render.js';
import { runCli, tempTree } from '../helpers/cli.js';

test('plan proves the plan and records it; prove exits 1 when the plan no longer does what the migration does', () => {
  const root = tempTree({
    'db/001_tags.sql':
      'CREATE TABLE tags (id bigserial PRIMARY KEY, label text NOT NULL, hidden boolean NOT NULL DEFAULT false);\n',
    'db/002_drop_hidden.sql': 'ALTER TABLE tags DROP COLUMN hidden;\n',
  });
  const planned = runCli(['plan', 'db/002_drop_hidden.sql', '--history', 'db', '--prove'], { cwd: root });
  expect(planned.stderr).toBe('');
  expect(planned.stdout).toMatch(
    /^proven on PostgreSQL \d+: schema and rows equal, V and V\+1 queries pass at every phase \(4 generated rows in 1 table; 4 V queries until contract, 4 V\+1 queries from the start\)$/m,
  );
  const dir = join(root, 'db', '002_drop_hidden');
  expect(readManifest(dir).proof).toMatchObject({ result: 'equal', start: 'history', rows: 4 });

  const manifest = readManifest(dir);
  const contract = manifest.phases.find((p) => p.name === 'contract')!;
  const step = contract.steps.find((s) => /DROP COLUMN/.test(s.sql))!;
  step.sql = 'SELECT 1';
  const text = phaseFile(manifest.id, contract);
  contract.sha256 = sha256(text);
  writeFileSync(join(dir, contract.file), text);
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(manifest));
  const proved = runCli(['prove', 'db/002_drop_hidden'], { cwd: root });
  expect(proved.code).toBe(1);
  expect(proved.stdout).toMatch(
    /^proof failed on PostgreSQL \d+: the plan's result differs from the migration's .*after contract: \+ columns: tags.hidden boolean NOT NULL DEFAULT false/,
  );
  expect(readManifest(dir).proof?.result).toBe('differs');
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
    '- after contract: + columns: tags.hidden boolean NOT NULL DEFAULT false',
  );
}, 60_000);
