// The application's triggers and the backfill, on real PostgreSQL: an updated_at trigger and an
// audit trigger stay untouched by default (the runner and the phase file disable them inside each
// batch only), fire with --backfill-triggers fire, and a role that may not disable them is refused
// before anything runs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { readLiveSchema } from '../../src/runner/introspect.js';
import { runPhase, type RunEvent } from '../../src/runner/run.js';
import { readState } from '../../src/runner/state.js';
import { tempTree } from '../helpers/cli.js';
import { resetSchema, runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = `CREATE TABLE "acc""ounts" (id bigint PRIMARY KEY, email text NOT NULL, plan text, updated_at timestamptz NOT NULL DEFAULT '2020-01-01');
CREATE TABLE audit (id bigserial PRIMARY KEY, account_id bigint NOT NULL, op text NOT NULL);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER "Touch ""it""" BEFORE UPDATE ON "acc""ounts" FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (account_id, op) VALUES (NEW.id, TG_OP); RETURN NULL; END $$;
CREATE TRIGGER accounts_audit AFTER UPDATE ON "acc""ounts" FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER accounts_plan AFTER UPDATE OF plan ON "acc""ounts" FOR EACH ROW EXECUTE FUNCTION audit();`;
const FILL = `INSERT INTO "acc""ounts" (id, email) SELECT g, 'a' || g || '@example.com' FROM generate_series(1, 2000) g;`;

const touched = async () =>
  (
    await c.query(
      `SELECT (SELECT count(*) FROM "acc""ounts" WHERE updated_at <> '2020-01-01')::int AS stamped, (SELECT count(*) FROM audit)::int AS audited`,
    )
  ).rows[0];
const enabled = async () =>
  (
    await c.query(
      `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = '"acc""ounts"'::regclass AND NOT tgisinternal ORDER BY tgname`,
    )
  ).rows;

async function planned(migration: string) {
  await resetSchema(c);
  await c.query(`${SETUP}\n${FILL}`);
  const dir = tempTree({ 'm/001.sql': SETUP, 'm/002.sql': migration });
  return plan({ file: join(dir, 'm/002.sql'), history: join(dir, 'm'), out: join(dir, 'plan'), batchSize: 300 });
}

const role = `pgphase_test_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await c.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
});

describe("the application's triggers on backfill batches", () => {
  it('a rename: the copy leaves updated_at and the audit alone, says which triggers it kept from firing, and contract still passes its checks', async () => {
    const p = await planned('ALTER TABLE "acc""ounts" RENAME COLUMN email TO contact_email;');
    const before = await enabled();
    const events: RunEvent[] = [];
    for (const phase of ['expand', 'trigger', 'backfill', 'contract'] as const)
      await runPhase({ planDir: p.dir, databaseUrl: db.url, phase, batchSize: 300, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'triggers')).toEqual([
      {
        type: 'triggers',
        phase: 'backfill',
        backfill: 0,
        table: '"public"."acc""ounts"',
        triggers: ['Touch "it"', 'accounts_audit'],
        mode: 'skip',
      },
    ]);
    expect(events.filter((e) => e.type === 'batch').length).toBeGreaterThan(5);
    expect(await touched()).toEqual({ stamped: 0, audited: 0 });
    expect(
      (await c.query(`SELECT count(*)::int AS n FROM "acc""ounts" WHERE contact_email = 'a' || id || '@example.com'`))
        .rows[0],
    ).toEqual({ n: 2000 });
    expect((await readState(c, p.manifest.id)).map((r) => r.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
    // enabled as before, and they fire for the application's writes
    expect(await enabled()).toEqual(before);
    await c.query(`UPDATE "acc""ounts" SET plan = 'pro' WHERE id = 1`);
    expect(await touched()).toEqual({ stamped: 1, audited: 2 });
  });

  it("the migration's own UPDATE: kept from firing by default, fired with --backfill-triggers fire", async () => {
    const migration = `UPDATE "acc""ounts" a SET plan = 'free' WHERE a.id % 2 = 0;`;
    let p = await planned(migration);
    await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill', batchSize: 300 });
    expect((await c.query(`SELECT count(*)::int AS n FROM "acc""ounts" WHERE plan = 'free'`)).rows[0]).toEqual({
      n: 1000,
    });
    expect(await touched()).toEqual({ stamped: 0, audited: 0 });

    p = await planned(migration);
    const events: RunEvent[] = [];
    await runPhase({
      planDir: p.dir,
      databaseUrl: db.url,
      phase: 'backfill',
      batchSize: 300,
      backfillTriggers: 'fire',
      onEvent: (e) => events.push(e),
    });
    expect(events.find((e) => e.type === 'triggers')).toMatchObject({
      triggers: ['Touch "it"', 'accounts_audit', 'accounts_plan'],
      mode: 'fire',
    });
    expect(await touched()).toEqual({ stamped: 1000, audited: 2000 });
  });

  it('the phase file does the same: kept from firing, unless SET pgphase.backfill_triggers = fire', async () => {
    const migration = `UPDATE "acc""ounts" a SET plan = 'free' WHERE a.id % 2 = 0;`;
    const p = await planned(migration);
    const file = readFileSync(join(p.dir, '1-backfill.sql'), 'utf8');
    const before = await enabled();
    await runScript(c, file);
    expect((await c.query(`SELECT count(*)::int AS n FROM "acc""ounts" WHERE plan = 'free'`)).rows[0]).toEqual({
      n: 1000,
    });
    expect(await touched()).toEqual({ stamped: 0, audited: 0 });
    expect(await enabled()).toEqual(before);

    await resetSchema(c);
    await c.query(`${SETUP}\n${FILL}`);
    await c.query(`SET pgphase.backfill_triggers = fire`);
    await runScript(c, file);
    await c.query(`RESET pgphase.backfill_triggers`);
    expect(await touched()).toEqual({ stamped: 1000, audited: 2000 });
  });

  it('the plan names the triggers that fire on each backfill, from the history and from the live database alike', async () => {
    const rename = 'ALTER TABLE "acc""ounts" RENAME COLUMN email TO contact_email;';
    const fromHistory = await planned(rename);
    const triggers = (p: typeof fromHistory) =>
      p.manifest.phases.find((x) => x.name === 'backfill')!.backfills!.map((b) => b.triggers);
    expect(triggers(fromHistory)).toEqual([['Touch "it"', 'accounts_audit']]);
    expect(readFileSync(join(fromHistory.dir, 'README.md'), 'utf8')).toContain(
      '  - the application\'s triggers "Touch ""it""", "accounts_audit" on "public"."acc""ounts" would fire on every batch: `pgphase run` keeps them from firing',
    );
    const dir = tempTree({ '002.sql': rename });
    const fromDatabase = await plan({
      file: join(dir, '002.sql'),
      baseSchema: await readLiveSchema(db.url),
      out: join(dir, 'plan'),
      batchSize: 300,
    });
    expect(triggers(fromDatabase)).toEqual(triggers(fromHistory));
    // UPDATE OF plan fires only on a statement that sets plan
    expect(triggers(await planned(`UPDATE "acc""ounts" SET plan = 'x';`))).toEqual([
      ['Touch "it"', 'accounts_audit', 'accounts_plan'],
    ]);
    expect(triggers(await planned(`DELETE FROM "acc""ounts" WHERE id > 10;`))).toEqual([undefined]);
  });

  it('refuses before it starts when the role may not disable the triggers (not the owner), naming the choice; fire runs', async () => {
    const p = await planned(`UPDATE "acc""ounts" SET plan = 'free';`);
    await c.query(`CREATE ROLE ${role} LOGIN; GRANT CREATE ON DATABASE ${db.name} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, UPDATE ON "acc""ounts" TO ${role}; GRANT INSERT ON audit TO ${role}; GRANT USAGE ON SEQUENCE audit_id_seq TO ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    await expect(runPhase({ planDir: p.dir, databaseUrl: url.toString(), phase: 'backfill' })).rejects.toThrow(
      `plan 002 backfill: the application's triggers "Touch ""it""", "accounts_audit", "accounts_plan" on "public"."acc""ounts" fire on backfill 1's batches, and by default a backfill keeps them from firing; keeping them from firing takes ALTER TABLE … DISABLE TRIGGER inside each batch, which only the table's owner "postgres" may run (connected as "${role}"): run as the owner, or pass --backfill-triggers fire to let them fire`,
    );
    expect((await c.query(`SELECT count(*)::int AS n FROM "acc""ounts" WHERE plan IS NOT NULL`)).rows[0]).toEqual({
      n: 0,
    });
    expect(await readState(c, p.manifest.id)).toEqual([]);
    await runPhase({ planDir: p.dir, databaseUrl: url.toString(), phase: 'backfill', backfillTriggers: 'fire' });
    expect(await touched()).toEqual({ stamped: 2000, audited: 4000 });
  });
});
