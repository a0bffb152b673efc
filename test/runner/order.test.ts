// The order of a phase's work, against real PostgreSQL: the migration's order, so its data
// changes run before the VALIDATE of a constraint written after them, and after the statements
// written before them, in the runner and in the phase file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { runAll, runPhase, type RunEvent } from '../../src/runner/run.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = 'CREATE TABLE t (id int PRIMARY KEY, x int);';
const ROWS = 'INSERT INTO t SELECT g, g - 50 FROM generate_series(1, 100) g;';
const FIX_THEN_CHECK = 'UPDATE t SET x = 0 WHERE x < 0;\nALTER TABLE t ADD CONSTRAINT x_pos CHECK (x >= 0);';

async function planned(name: string) {
  await resetSchema(c);
  await c.query(SETUP + ROWS);
  const dir = tempTree({ 'm/001_setup.sql': SETUP, 'm/002.sql': FIX_THEN_CHECK });
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, name), batchSize: 30 });
}

async function outcome() {
  const { rows } = await c.query(
    `SELECT (SELECT convalidated FROM pg_constraint WHERE conname = 'x_pos') AS valid, (SELECT min(x) FROM t) AS min`,
  );
  return rows[0];
}

describe('the order of a phase', () => {
  it('runs the UPDATE written before a CHECK before validating it', async () => {
    const p = await planned('runner');
    const events: RunEvent[] = [];
    await runAll({ planDir: p.dir, databaseUrl: db.url, onEvent: (e) => events.push(e) });
    expect(await outcome()).toEqual({ valid: true, min: 0 });
    const backfill = events.flatMap((e) =>
      (e.type === 'batch' || e.type === 'step') && e.phase === 'backfill' ? [e.type] : [],
    );
    expect(backfill.at(-1)).toBe('step');
    expect(backfill.slice(0, -1).every((type) => type === 'batch')).toBe(true);
  });

  it('writes the phase file in the same order, so that it runs by itself', async () => {
    const p = await planned('file');
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'expand' });
    const file = readFileSync(join(p.dir, '2-backfill.sql'), 'utf8');
    expect(file.indexOf('CALL ')).toBeLessThan(file.indexOf('VALIDATE CONSTRAINT'));
    await runScript(c, file);
    expect(await outcome()).toEqual({ valid: true, min: 0 });
  });

  it("runs an INSERT written after an UPDATE of the same table after the UPDATE's batches", async () => {
    await resetSchema(c);
    await c.query(SETUP + ROWS);
    const dir = tempTree({
      'm/001_setup.sql': SETUP,
      'm/002.sql': 'UPDATE t SET x = x + 1000;\nINSERT INTO t (id, x) VALUES (1000, 1);',
    });
    const p = await plan({
      file: join(dir, 'm/002.sql'),
      history: join(dir, 'm'),
      out: join(dir, 'insert'),
      batchSize: 30,
    });
    await runAll({ planDir: p.dir, databaseUrl: db.url });
    const { rows } = await c.query(
      `SELECT (SELECT x FROM t WHERE id = 1000) AS inserted, (SELECT min(x) FROM t WHERE id < 1000) AS updated`,
    );
    expect(rows[0]).toEqual({ inserted: 1, updated: 951 });
  });

  it('says the same order in a dry run', async () => {
    const p = await planned('dry');
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'expand' });
    const events: RunEvent[] = [];
    await runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'backfill',
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    expect(events.flatMap((e) => (e.type === 'would-run' ? [e.step] : []))).toEqual([
      'backfill',
      'backfill:validate-x_pos',
    ]);
  });
});
