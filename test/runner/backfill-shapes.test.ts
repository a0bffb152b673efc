// The data changes teams write (an alias, UPDATE … FROM, DELETE … USING, WITH, INSERT … SELECT),
// batched on real PostgreSQL with hostile names: the runner, the phase file run statement by
// statement and a run stopped mid-way then resumed all leave the rows the statement run as
// written leaves; sent as one query, the phase file stops with one clear error and changes nothing.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { runPhase } from '../../src/runner/run.js';
import { readState } from '../../src/runner/state.js';
import { BIN, tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

// 63 bytes: the longest name PostgreSQL keeps
const LONG = `v${'ü'.repeat(31)}`;
const SETUP = `CREATE TABLE "order""s" ("Id" bigint PRIMARY KEY, "a""b" text NOT NULL, "ÿ" int NOT NULL DEFAULT 0, twice int GENERATED ALWAYS AS ("ÿ" * 2) STORED);
CREATE TABLE "line items" ("order id" bigint NOT NULL, "select" int NOT NULL, "${LONG}" int NOT NULL, PRIMARY KEY ("order id", "select"));
CREATE TABLE archive (id bigint GENERATED ALWAYS AS IDENTITY, "order id" bigint NOT NULL, total int NOT NULL);`;
const FILL = `INSERT INTO "order""s" ("Id", "a""b") SELECT g, 'o' || g FROM generate_series(1, 3000) g;
INSERT INTO "line items" SELECT g, s, (g * s * 7) % 20 FROM generate_series(1, 3000) g, generate_series(1, 2) s WHERE g % 5 <> 0;
ANALYZE;`;
const DATA = `SELECT (SELECT json_agg(o ORDER BY "Id") FROM "order""s" o) AS orders,
  (SELECT json_agg(l ORDER BY "order id", "select") FROM "line items" l) AS items,
  (SELECT json_agg(json_build_array("order id", total) ORDER BY "order id", total) FROM archive) AS archive`;

interface Shape {
  name: string;
  migration: string;
  /** The table a fault stops the batches in, and its key column. */
  fault: [string, string];
}

// each change is not idempotent where it can be: a batch applied twice would show
const SHAPES: Shape[] = [
  {
    name: 'UPDATE with a table alias (a reserved word)',
    migration: `UPDATE "order""s" AS "user" SET "a""b" = "user"."a""b" || '!', "ÿ" = "user"."ÿ" + 1 WHERE "user"."Id" % 3 = 0;`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'UPDATE … FROM (a join)',
    migration: `UPDATE "order""s" o SET "ÿ" = o."ÿ" + l."${LONG}" FROM "line items" l WHERE l."order id" = o."Id" AND l."select" = 2 AND l."${LONG}" > 4;`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'DELETE … USING',
    migration: `DELETE FROM "order""s" AS o USING "line items" l WHERE l."order id" = o."Id" AND l."${LONG}" < 5;`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'UPDATE with a CTE that aggregates another table',
    migration: `WITH sums AS (SELECT "order id", sum("${LONG}")::int AS s FROM "line items" GROUP BY 1)\nUPDATE "order""s" SET "ÿ" = "order""s"."ÿ" + sums.s FROM sums WHERE sums."order id" = "order""s"."Id" RETURNING "Id";`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'DELETE with a CTE',
    migration: `WITH gone AS (SELECT "order id" FROM "line items" WHERE "${LONG}" = 7)\nDELETE FROM "order""s" WHERE "Id" IN (SELECT "order id" FROM gone);`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'DELETE that reads its own table, a dedup: the rows are chosen before the first batch',
    migration: `DELETE FROM "order""s" WHERE "Id" NOT IN (SELECT min("Id") FROM "order""s" GROUP BY "Id" % 7, "Id" > 2000);`,
    fault: ['"order""s"', 'Id'],
  },
  {
    // batches that each read the table as earlier ones left it would keep the first row of every batch
    name: 'DELETE … USING its own table, each row whose predecessor exists: the rows are chosen before the first batch',
    migration: `DELETE FROM "order""s" AS o USING "order""s" AS p WHERE p."Id" = o."Id" - 1 AND o."Id" % 7 <> 0;`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'UPDATE SET (a, b) = (…)',
    migration: `UPDATE "order""s" SET ("a""b", "ÿ") = ("a""b" || '?', "ÿ" - 1) WHERE "Id" BETWEEN 100 AND 2900;`,
    fault: ['"order""s"', 'Id'],
  },
  {
    name: 'INSERT … SELECT with a join, batched by the composite key of the table it reads first',
    migration: `INSERT INTO archive ("order id", total) SELECT l."order id", l."${LONG}" + o."ÿ" FROM "line items" AS l JOIN "order""s" o ON o."Id" = l."order id" WHERE l."select" = 1 OR l."${LONG}" > 10;`,
    fault: ['archive', 'order id'],
  },
];

async function fresh(): Promise<void> {
  await resetSchema(c);
  await c.query(`${SETUP}\n${FILL}`);
}

async function data(): Promise<unknown> {
  return (await c.query(DATA)).rows[0];
}

/** A trigger that fails the batch reaching key 1500 of `table`, until dropped. */
async function addFault([table, column]: [string, string]): Promise<void> {
  await c.query(`CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) ->> TG_ARGV[0])::bigint >= 1500 THEN RAISE EXCEPTION 'fault at 1500'; END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$;
    CREATE TRIGGER fault BEFORE INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION fault('${column}')`);
}

// the tables have a generated column (PostgreSQL 12+), which a backfill must never write
/** The plan of `migration` over SETUP, in batches of `batchSize`. */
function planned(migration: string, batchSize = 100) {
  const dir = tempTree({ 'm/001.sql': SETUP, 'm/002.sql': migration });
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'plan'), batchSize });
}

describe.runIf(db.major >= 12)('batched data changes of every shape', () => {
  for (const shape of SHAPES) {
    it(shape.name, async () => {
      await fresh();
      const before = await data();
      await c.query(shape.migration);
      const expected = await data();
      expect(expected).not.toEqual(before);

      const p = await planned(shape.migration);
      expect(p.manifest.phases.map((x) => x.name)).toEqual(['backfill']);
      const file = readFileSync(join(p.dir, '1-backfill.sql'), 'utf8');

      // the runner, in batches of 100
      await fresh();
      await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 100 });
      expect(await data()).toEqual(expected);
      const [record] = await readState(c, p.manifest.id);
      expect(record!.backfill).toEqual([expect.objectContaining({ done: true, cursor: null })]);
      // the keys a self-reading DELETE chose are gone with its last batch
      expect((await c.query(`SELECT relname FROM pg_class WHERE relname LIKE 'pgphase\\_keys%'`)).rows).toEqual([]);

      // stopped mid-way by a failing batch, then run again: no batch twice, none lost
      await fresh();
      await addFault(shape.fault);
      // the fault is a trigger of the application's: it fires only when told to
      await expect(
        runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 100, backfillTriggers: 'fire' }),
      ).rejects.toThrow(/fault at 1500/);
      const stopped = (await readState(c, p.manifest.id))[0]!;
      expect(stopped).toMatchObject({ status: 'failed', backfill: [{ done: false }] });
      expect(stopped.backfill[0]!.rows).toBeGreaterThan(0);
      await c.query(`DROP TRIGGER fault ON ${shape.fault[0]}; DROP FUNCTION fault()`);
      await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 100 });
      expect(await data()).toEqual(expected);

      // the phase file, statement by statement as psql -f sends it
      await fresh();
      await runScript(c, file);
      expect(await data()).toEqual(expected);

      // the phase file as one query (golang-migrate, Prisma): one clear error, nothing changed
      await fresh();
      await expect(c.query(file)).rejects.toThrow(
        `backfill 1 of plan ${p.manifest.id} commits batch by batch and cannot run inside a transaction (this file was sent as one query, or in BEGIN … COMMIT): run \`pgphase run <plan-dir> backfill\` first (this file then skips it), or run this file with psql -f`,
      );
      expect(await data()).toEqual(before);
    });
  }

  it('an INSERT … SELECT whose runner is killed (SIGKILL) mid-run inserts each row once after the run that resumes it', async () => {
    const shape = SHAPES[SHAPES.length - 1]!;
    await fresh();
    await c.query(shape.migration);
    const expected = await data();
    const p = await planned(shape.migration, 50);
    await fresh();
    const child = spawn(
      process.execPath,
      [BIN, 'run', p.dir, 'backfill', '--batch-size', '50', '--database-url', db.url],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let batches = 0;
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        batches += d.toString().split('"type":"batch"').length - 1;
        if (batches >= 5 && child.kill('SIGKILL')) resolve();
      });
    });
    await killed;
    await new Promise((r) => child.on('close', r));
    const mid = (await c.query(`SELECT count(*)::int AS n FROM archive`)).rows[0].n as number;
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan((expected as { archive: unknown[] }).archive.length);
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 50, waitMs: 10_000 });
    expect(await data()).toEqual(expected);
  });

  it('refuses a plan.json whose backfill statement was edited into two statements, or into one that does not parse', async () => {
    const shape = SHAPES[1]!;
    const p = await planned(shape.migration);
    await fresh();
    const before = await data();
    const manifest = readFileSync(join(p.dir, 'plan.json'), 'utf8');
    const cases: Array<[string, string]> = [
      [
        '"statement": "DELETE FROM archive; UPDATE',
        'plan.json: a backfill statement is not one statement: re-run `pgphase plan`',
      ],
      [
        '"statement": "UPDAT',
        'plan.json: a backfill statement does not parse (syntax error at or near "UPDAT"): re-run `pgphase plan`',
      ],
    ];
    for (const [edit, message] of cases) {
      writeFileSync(join(p.dir, 'plan.json'), manifest.replace('"statement": "UPDATE', edit));
      await expect(runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill' })).rejects.toThrow(message);
    }
    expect(await data()).toEqual(before);
  });

  // psql itself, where it is installed: -f sends statement by statement, -c the whole file as one query
  const psql = spawnSync('psql', ['--version']).status === 0;
  it.skipIf(!psql)(
    'with psql: -f runs the batches, -c "$(cat 1-backfill.sql)" exits 1 with the message and changes nothing',
    async () => {
      const shape = SHAPES[1]!;
      await fresh();
      await c.query(shape.migration);
      const expected = await data();
      const p = await planned(shape.migration);
      const file = join(p.dir, '1-backfill.sql');
      await fresh();
      const before = await data();
      const one = spawnSync(
        'psql',
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', readFileSync(file, 'utf8')],
        { encoding: 'utf8' },
      );
      expect([one.status, one.stderr]).toEqual([
        1,
        expect.stringContaining(
          `ERROR:  backfill 1 of plan ${p.manifest.id} commits batch by batch and cannot run inside a transaction`,
        ),
      ]);
      expect(await data()).toEqual(before);
      const byStatement = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', file], {
        encoding: 'utf8',
      });
      expect([byStatement.status, byStatement.stderr]).toEqual([0, '']);
      expect(await data()).toEqual(expected);
    },
  );

  it('runs the phase file, as one query or statement by statement, once pgphase run has applied the backfill: it skips the batches', async () => {
    await fresh();
    const shape = SHAPES[0]!;
    const p = await planned(shape.migration);
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill' });
    const after = await data();
    await c.query(readFileSync(join(p.dir, '1-backfill.sql'), 'utf8'));
    expect(await data()).toEqual(after);
    // statement by statement too: nothing applied twice
    await runScript(c, readFileSync(join(p.dir, '1-backfill.sql'), 'utf8'));
    expect(await data()).toEqual(after);
  });
});
