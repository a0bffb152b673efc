// The shadow database's parts on PostgreSQL: generated rows (hostile names, foreign keys,
// checks, types without a value), files run as their tool runs them, and a proof that catches
// a plan whose contract lost a step (a planner bug injected here, not one pgphase has).
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, test } from 'vitest';
import { plan } from '../../src/index.js';
import { readManifest } from '../../src/plan/manifest.js';
import { connect } from '../../src/runner/connect.js';
import { startEmbedded } from '../../src/runner/embedded.js';
import { prove } from '../../src/shadow/prove.js';
import { phaseFile, sha256 } from '../../src/plan/render.js';
import { applyFile } from '../../src/shadow/apply.js';
import { catalog, catalogDiff, maskRows, sharedAlike, tableRows } from '../../src/shadow/catalog.js';
import { appQueries, runQueries } from '../../src/shadow/queries.js';
import { generateRows, tables } from '../../src/shadow/rows.js';
import { Shadow, shadowServer, stopShadowServer } from '../../src/shadow/server.js';
import { runScript, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const c = await db.client();
afterAll(stopShadowServer);

test('generated rows follow types, lengths, enums, foreign keys and checks; what cannot be generated is named', async () => {
  const long = 'x'.repeat(63);
  await runScript(
    c,
    `CREATE TYPE "mo""od" AS ENUM ('up', 'down');
     CREATE TABLE "a""b" ("select" serial PRIMARY KEY, "größe" varchar(3) NOT NULL, "${long}" "mo""od" NOT NULL, flag boolean DEFAULT true, doc jsonb);
     CREATE TABLE child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent int NOT NULL REFERENCES "a""b" ("select"), amount numeric(6,2) CHECK (amount < 2), at timestamptz);
     CREATE TABLE spot (id int PRIMARY KEY, p point NOT NULL);`,
  );
  const result = await generateRows(c);
  // amount 1.5, 2.5 (refused by the check), NULL
  expect(result.inserted).toEqual({ 'a"b': 3, child: 2 });
  expect(result.skipped).toEqual([
    expect.stringMatching(/^child: row 2 refused: .*violates check constraint "child_amount_check"/),
    'spot: no generated value for p (point)',
  ]);
  const rows = await tableRows(c);
  expect(rows['a"b']).toHaveLength(3);
  const parsed = rows['a"b']!.map((r) => JSON.parse(r) as Record<string, unknown>);
  // the serial column is compared by presence: its default is not immutable
  expect(parsed.find((r) => r.größe === 'e-1')).toEqual({
    select: true,
    größe: 'e-1',
    [long]: 'up',
    flag: false,
    doc: { n: 1 },
  });
  expect(parsed.find((r) => r.größe === 'e-3')).toEqual({
    select: true,
    größe: 'e-3',
    [long]: 'up',
    flag: true,
    doc: null,
  });
  // the child row references a parent row that exists
  expect((await c.query(`SELECT count(*)::int AS n FROM child JOIN "a""b" ON "select" = parent`)).rows[0].n).toBe(2);
});

test('a twin repeats the first generated row but in its unique keys, and in a foreign key that is unique', async () => {
  await runScript(
    c,
    `DROP TABLE IF EXISTS child, "a""b", spot, pair, link CASCADE;
     CREATE TABLE pair (id int PRIMARY KEY, code text, team text, note text);
     CREATE UNIQUE INDEX pair_code ON pair (lower(code));
     CREATE TABLE link (id int PRIMARY KEY, one int UNIQUE REFERENCES pair, many int REFERENCES pair, label text);`,
  );
  expect((await generateRows(c, { nulls: true, twin: true })).inserted).toMatchObject({ pair: 4, link: 4 });
  const { rows } = await c.query(
    'SELECT p.*, l.one, l.many, l.label FROM pair p JOIN link l ON l.id = p.id WHERE p.id IN (1, 4) ORDER BY p.id',
  );
  expect(rows).toEqual([
    { id: 1, code: 'code-1', team: 'team-1', note: 'note-1', one: 1, many: 1, label: 'label-1' },
    { id: 4, code: 'code-4', team: 'team-1', note: 'note-1', one: 4, many: 1, label: 'label-1' },
  ]);
});

test("foreign keys that share a column take rows that agree, in the generated rows and the application's writes: a composite key first, then the key of its shared column", async () => {
  await runScript(
    c,
    `DROP SCHEMA public CASCADE; CREATE SCHEMA public;
     CREATE TABLE network (id int PRIMARY KEY);
     CREATE TABLE client (id int, nid int REFERENCES network, PRIMARY KEY (id, nid));
     -- the same keys, in both orders
     CREATE TABLE session (id int PRIMARY KEY, client_id int NOT NULL, nid int NOT NULL,
       FOREIGN KEY (client_id, nid) REFERENCES client (id, nid), FOREIGN KEY (nid) REFERENCES network);
     CREATE TABLE grant_ (id int PRIMARY KEY, client_id int NOT NULL, nid int NOT NULL,
       FOREIGN KEY (nid) REFERENCES network, FOREIGN KEY (client_id, nid) REFERENCES client (id, nid));
     -- the history's client: the k-th client is not in the k-th network
     INSERT INTO network VALUES (1); INSERT INTO client VALUES (10, 1);`,
  );
  const result = await generateRows(c, { nulls: true });
  expect(result.skipped).toEqual([]);
  expect(result.inserted).toEqual({ network: 3, client: 3, session: 3, grant_: 3 });
  for (const table of ['session', 'grant_'])
    expect(
      (await c.query(`SELECT count(*)::int AS n FROM ${table} s JOIN client k ON (k.id, k.nid) = (s.client_id, s.nid)`))
        .rows[0].n,
    ).toBe(3);
  // the application's writes reference the first client, (10, 1), which is not in the first network, 0
  await c.query('INSERT INTO network VALUES (0)');
  const app = appQueries('V', await tables(c), new Set(['session', 'grant_']));
  expect(app.tables.map((t) => t.queries.length)).toEqual([4, 4]);
  expect(await runQueries(c, app)).toEqual([]);

  // a key the other version adds over a column this one keys already (V's writes after expand, which adds it NOT VALID)
  await runScript(
    c,
    'CREATE TABLE access (id int PRIMARY KEY, client_id int NOT NULL, nid int NOT NULL REFERENCES network);',
  );
  const v = await tables(c);
  await c.query('ALTER TABLE access ADD FOREIGN KEY (client_id, nid) REFERENCES client (id, nid) NOT VALID');
  expect(await runQueries(c, appQueries('V', v, new Set(['access']), await tables(c)))).toEqual([]);
});

test("every schema of the application's gets rows, is read and is written; a foreign key to another schema's table takes its rows from there", async () => {
  await runScript(
    c,
    `DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS auth CASCADE; CREATE SCHEMA auth;
     CREATE TABLE auth.users (id int PRIMARY KEY); INSERT INTO auth.users VALUES (7);
     CREATE TABLE users (id int PRIMARY KEY);
     CREATE TABLE profile (id int PRIMARY KEY, user_id int NOT NULL REFERENCES auth.users);
     CREATE TABLE auth.sessions (id int PRIMARY KEY, user_id int NOT NULL REFERENCES auth.users, note text);`,
  );
  const result = await generateRows(c, { nulls: true });
  // auth.users first: the tables that reference it take its rows, the history's 7 first
  expect(result).toEqual({ inserted: { 'auth.users': 3, 'auth.sessions': 3, users: 3, profile: 3 }, skipped: [] });
  expect((await c.query('SELECT array_agg(user_id ORDER BY user_id) AS ids FROM profile')).rows[0].ids).toEqual([
    7, 8, 9,
  ]);
  expect((await c.query('SELECT array_agg(id ORDER BY id) AS ids FROM users')).rows[0].ids).toEqual([1, 2, 3]);
  const rows = await tableRows(c);
  expect(Object.keys(rows).sort()).toEqual(['auth.sessions', 'auth.users', 'profile', 'users']);
  expect(rows['auth.users']).toEqual(['{"id": 10}', '{"id": 7}', '{"id": 8}', '{"id": 9}']);
  const app = appQueries('V', await tables(c), new Set(['profile', 'auth.sessions']));
  expect(app.tables.map((t) => t.table)).toEqual(['auth.sessions', 'profile']);
  expect(app.tables[0]!.queries[0]!.sql).toMatch(/^INSERT INTO "auth"\."sessions" /);
  expect(await runQueries(c, app)).toEqual([]);
  await c.query('DROP SCHEMA auth CASCADE');
});

test('a table with a column named t has its rows read whole, and an identity by presence', async () => {
  await runScript(
    c,
    `DROP SCHEMA public CASCADE; CREATE SCHEMA public;
     CREATE TABLE ev (id int PRIMARY KEY, t timestamptz, made timestamptz DEFAULT now());
     INSERT INTO ev (id) VALUES (1);`,
  );
  expect(await tableRows(c)).toEqual({ ev: ['{"t": null, "id": 1, "made": true}'] });
  // an identity column is compared by presence, as a sequence's default: a rolled back write used up its values
  await runScript(c, 'CREATE TABLE setting (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);');
  await c.query("BEGIN; INSERT INTO setting (name) VALUES ('lost'); ROLLBACK");
  await c.query("INSERT INTO setting (name) VALUES ('kept')");
  expect((await tableRows(c)).setting).toEqual(['{"id": true, "name": "kept"}']);
});

test('the catalog lists each sequence with its type and the column that owns it: a sequence whose owner moves differs', async () => {
  await runScript(
    c,
    `DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS "Sh op" CASCADE; CREATE SCHEMA "Sh op";
     CREATE TABLE t (id serial PRIMARY KEY, k bigint GENERATED ALWAYS AS IDENTITY, m int);
     CREATE TABLE "Sh op".u (id bigserial PRIMARY KEY);
     CREATE SEQUENCE "Sh op".free AS smallint;`,
  );
  try {
    const before = await catalog(c);
    expect(before.sequences).toEqual([
      'Sh op.free smallint',
      'Sh op.u_id_seq bigint owned by Sh op.u.id',
      't_id_seq integer owned by t.id',
      't_k_seq bigint owned by t.k',
    ]);
    await c.query('ALTER SEQUENCE t_id_seq OWNED BY t.m');
    expect(catalogDiff(before, await catalog(c))).toEqual([
      '- sequences: t_id_seq integer owned by t.id',
      '+ sequences: t_id_seq integer owned by t.m',
    ]);
  } finally {
    await c.query('DROP SCHEMA "Sh op" CASCADE');
  }
});

test('a file runs as its tool runs it, and a refused statement names file:line', async () => {
  await runScript(c, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  const file = {
    path: 'm/002_x.sql',
    text: 'CREATE TABLE t (id int);\n\nALTER TABLE nope ADD COLUMN x int;\n',
    transaction: 'per-file' as const,
  };
  await expect(applyFile(db.url, file)).rejects.toThrow(
    'm/002_x.sql:3: PostgreSQL refused it: relation "nope" does not exist',
  );
  // in a transaction of its own: nothing of the file stays
  expect((await c.query(`SELECT to_regclass('t') AS t`)).rows[0].t).toBeNull();
  await expect(applyFile(db.url, { ...file, transaction: 'implicit' })).rejects.toThrow(
    'PostgreSQL refused it: relation "nope" does not exist',
  );
  await expect(applyFile(db.url, { ...file, transaction: 'none' })).rejects.toThrow('m/002_x.sql:3:');
  expect((await c.query(`SELECT to_regclass('t')::text AS t`)).rows[0].t).toBe('t');
});

test("the application's roles, which a shadow server lacks, are made there (NOLOGIN) for the files that name them; a role a file creates is left to it", async () => {
  const suffix = Math.random().toString(16).slice(2, 10);
  const roles = [`Reader ${suffix}`, `pgphase_group_${suffix}`, `pgphase_owner_${suffix}`];
  const [reader, group, owner] = roles.map((role) => `"${role}"`);
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-roles-'));
  writeFileSync(
    join(dir, '001_docs.sql'),
    `CREATE TABLE docs (id bigint PRIMARY KEY, title text);
GRANT SELECT, INSERT ON docs TO ${reader};
GRANT ${group} TO ${reader};
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_read ON docs FOR SELECT TO ${group} USING (true);
CREATE ROLE ${owner} NOLOGIN;
ALTER TABLE docs OWNER TO ${owner};
`,
  );
  writeFileSync(join(dir, '002_rename.sql'), 'ALTER TABLE docs RENAME COLUMN title TO name;\n');
  // the proof's server: the embedded one this process shares
  const server = await connect((await shadowServer()).url);
  try {
    const planned = await plan({
      file: join(dir, '002_rename.sql'),
      history: dir,
      out: join(dir, 'plan'),
      prove: true,
    });
    expect(planned.proof).toMatchObject({ result: 'equal', tables: 1, differences: [] });
    const made = await server.query('SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1', [
      roles,
    ]);
    expect(made.rows).toEqual([...roles].sort().map((rolname) => ({ rolname, rolcanlogin: false })));
  } finally {
    for (const role of [reader, group, owner]) await server.query(`DROP ROLE IF EXISTS ${role}`);
    await server.end();
  }
});

/** Proves the plan in `planDir` again with `phase` of its `manifest` as the test changed it (a
 *  planner bug injected): its file written anew, with its checksum, as a plan would have it. */
async function proveInjected(
  planDir: string,
  manifest: ReturnType<typeof readManifest>,
  phase: ReturnType<typeof readManifest>['phases'][number],
  file: string,
  history: string,
) {
  const text = phaseFile(manifest.id, phase);
  phase.sha256 = sha256(text);
  writeFileSync(join(planDir, phase.file), text);
  writeFileSync(join(planDir, 'plan.json'), JSON.stringify(manifest));
  return prove({ planDir, file, start: { history } });
}

// in schema public, and in another (mixed case), which the proof seeds, writes and compares too
for (const schema of ['', '"Auth"'])
  test(`the proof passes a correct plan and catches one whose contract lost a step${schema && `, on a table of schema ${schema}`}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
    const people = schema ? `${schema}.people` : 'people';
    writeFileSync(
      join(dir, '001_people.sql'),
      `${schema && `CREATE SCHEMA ${schema};\n`}CREATE TABLE ${people} (id bigserial PRIMARY KEY, nick text NOT NULL, bio text);\n`,
    );
    writeFileSync(join(dir, '002_rename.sql'), `ALTER TABLE ${people} RENAME COLUMN nick TO handle;\n`);
    const planned = await plan({
      file: join(dir, '002_rename.sql'),
      history: dir,
      out: join(dir, 'plan'),
      prove: true,
    });
    expect(planned.proof).toMatchObject({
      result: 'equal',
      start: 'history',
      tables: 1,
      rows: 4,
      undone: ['expand', 'trigger', 'backfill'],
      differences: [],
      queries: { v: 4, v1: 4 },
    });
    expect(readManifest(planned.dir).proof?.result).toBe('equal');
    expect(readFileSync(join(planned.dir, 'README.md'), 'utf8')).toMatch(
      /## Proof\n\nproven on PostgreSQL \d+: schema and rows equal/,
    );

    // the bug: contract forgets to drop the old column
    const manifest = readManifest(planned.dir);
    const contract = manifest.phases.find((p) => p.name === 'contract')!;
    const step = contract.steps.find((s) => /DROP COLUMN/.test(s.sql))!;
    step.sql = step.sql.replace(/;\s*ALTER TABLE [^;]* DROP COLUMN [^;]*/, '');
    expect(step.sql).not.toMatch(/DROP COLUMN/);
    const proof = await proveInjected(planned.dir, manifest, contract, join(dir, '002_rename.sql'), dir);
    // V+1, which knows no nick, cannot insert once the trigger that filled it is gone
    expect(proof.result).toBe('failed');
    expect(proof.differences).toEqual([
      expect.stringContaining(
        `after contract, V+1's query failed: INSERT INTO ${schema || '"public"'}."people" ("handle", "bio") `,
      ),
    ]);
    expect(proof.differences[0]).toContain('null value in column "nick"');
  });

test('the proof runs a backfill a row a batch and compares how rows share random values: it catches a value made per batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(join(dir, '001_people.sql'), 'CREATE TABLE people (id bigserial PRIMARY KEY, nick text, bio text);\n');
  // one random value for every row: an uncorrelated subquery runs once per statement
  writeFileSync(join(dir, '002_stamp.sql'), 'UPDATE people SET bio = (SELECT md5(random()::text));\n');
  const planned = await plan({ file: join(dir, '002_stamp.sql'), out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', start: 'history', rows: 4, differences: [] });

  // the bug: the value made in each batch, as a plan that does not compute it once would
  const manifest = readManifest(planned.dir);
  const backfill = manifest.phases.find((p) => p.name === 'backfill')!;
  expect(backfill.backfills![0]!.snapshot).toBe(true);
  delete backfill.backfills![0]!.snapshot;
  const proof = await proveInjected(planned.dir, manifest, backfill, join(dir, '002_stamp.sql'), dir);
  expect(proof.result).toBe('differs');
  expect(proof.differences).toEqual([
    expect.stringMatching(
      /^after contract: rows of .*people.*: .*\{"rows sharing a value":\{"bio":\[4\]\}\}.*\{"rows sharing a value":\{"bio":\[1,1,1,1\]\}\}/,
    ),
  ]);
});

test('the proof catches a value made per batch for a group of rows: a generated row repeats another in all but its unique keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(
    join(dir, '001_people.sql'),
    'CREATE TABLE people (id bigserial PRIMARY KEY, email text UNIQUE, nick text, bio text);\n',
  );
  // one random value per nick: the rows of a nick share it
  writeFileSync(
    join(dir, '002_team.sql'),
    'UPDATE people SET bio = g.token FROM (SELECT nick, md5(random()::text) AS token FROM (SELECT DISTINCT nick FROM people) d) g WHERE people.nick = g.nick;\n',
  );
  const planned = await plan({ file: join(dir, '002_team.sql'), out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', rows: 4, differences: [] });
  const manifest = readManifest(planned.dir);
  const backfill = manifest.phases.find((p) => p.name === 'backfill')!;
  delete backfill.backfills![0]!.snapshot;
  const proof = await proveInjected(planned.dir, manifest, backfill, join(dir, '002_team.sql'), dir);
  expect(proof.result).toBe('differs');
  expect(proof.differences).toEqual([
    expect.stringMatching(/"rows sharing a value":\{"bio":\[2,1\]\}.*"rows sharing a value":\{"bio":\[1,1,1\]\}/),
  ]);
});

test('the time a transaction started is the time of its batch in a plan: now() and an updated_at trigger prove equal, and the plan says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(
    join(dir, '001_tokens.sql'),
    `CREATE TABLE tokens (id bigint PRIMARY KEY, seen timestamptz, updated_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
CREATE TRIGGER tokens_touch BEFORE UPDATE ON tokens FOR EACH ROW EXECUTE FUNCTION touch();
`,
  );
  writeFileSync(join(dir, '002_seen.sql'), 'UPDATE tokens SET seen = now();\n');
  const planned = await plan({ file: join(dir, '002_seen.sql'), out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', rows: 4, differences: [] });
  const readme = readFileSync(join(planned.dir, 'README.md'), 'utf8');
  expect(readme).toContain(
    'now() in the data change on "public"."tokens" is the time each batch starts: rows get the time of their batch, not one time for all',
  );
  expect(readme).toContain(
    "The backfills ran with the application's triggers firing (`tokens_touch`), as the migration as written fires them; `pgphase run` keeps them from firing unless `--backfill-triggers fire`",
  );
});

test('a type change to another kind of type, USING an expression of the column, plans and proves; the versions leave the column out of their writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(join(dir, '001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, verified timestamp(3));\n');
  writeFileSync(
    join(dir, '002_verified.sql'),
    'ALTER TABLE users ALTER COLUMN verified TYPE boolean USING (verified IS NOT NULL);\n',
  );
  const planned = await plan({ file: join(dir, '002_verified.sql'), out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', rows: 4, differences: [] });
  expect(planned.proof!.skipped).toContain(
    'V+1: users.verified: no generated value is both boolean and timestamp(3) without time zone: left out of its writes',
  );
  expect(planned.manifest.phases.find((p) => p.name === 'trigger')!.steps[0]!.sql).toContain(
    'NEW."verified_pgphase_new" := (new.verified IS NOT NULL);',
  );
});

test("a nullable column's default dropped before a foreign key on it: in expand, so that the old version's rows get NULL, not a value the key refuses", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(
    join(dir, '001_requests.sql'),
    "CREATE TABLE sessions (id varchar(40) PRIMARY KEY);\nCREATE TABLE requests (id bigint PRIMARY KEY, session_id varchar(40) NULL DEFAULT '');\n",
  );
  writeFileSync(
    join(dir, '002_fk.sql'),
    `ALTER TABLE requests ALTER COLUMN session_id DROP DEFAULT;
UPDATE requests SET session_id = NULL WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.id = requests.session_id);
ALTER TABLE requests ADD CONSTRAINT requests_session_id_fk FOREIGN KEY (session_id) REFERENCES sessions (id);
`,
  );
  const planned = await plan({ file: join(dir, '002_fk.sql'), out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', undone: ['expand'], differences: [] });
  expect(planned.manifest.phases[0]!.steps.map((s) => s.sql).join('\n')).toMatch(/DROP DEFAULT/);
});

test('how rows share a random value is compared where the migration makes it so, not where values meet by chance', () => {
  const rows = (...values: (string | number)[]) => ({
    t: values.map((v, i) => JSON.stringify({ id: i + 1, v })),
  });
  const varying = new Map([['t', new Set(['v'])]]);
  // one value for all rows, and one per group, fresh in each run
  expect(sharedAlike(rows('x', 'x', 'x'), rows('y', 'y', 'y'), varying)).toEqual(varying);
  expect(sharedAlike(rows('x', 'x', 'z'), rows('w', 'y', 'y'), varying)).toEqual(varying);
  // a value for each row; values of a small range that meet by chance, and take the other run's
  expect(sharedAlike(rows('p', 'q', 'r'), rows('s', 't', 'u'), varying)).toEqual(new Map());
  expect(sharedAlike(rows(0, 0, 1), rows(1, 1, 0), varying)).toEqual(new Map());
  // the time a transaction started, which rows of one batch share: by presence
  const [t1, t2] = ['2026-12-07T13:59:01.123456+00:00', '2026-12-07T13:59:02.5+00:00'];
  expect(sharedAlike(rows(t1, t1, t1), rows(t2, t2, t2), varying)).toEqual(new Map());
  const [us1, us2] = [Date.now() * 1000, Date.now() * 1000 + 1500];
  expect(sharedAlike(rows(us1, us1, us1), rows(us2, us2, us2), varying)).toEqual(new Map());
  expect(sharedAlike(rows('12', '12', '12'), rows('13', '13', '13'), varying)).toEqual(varying);
  // a table with such a column gets a line of how its rows share the values
  expect(maskRows(rows('x', 'x', 'x'), varying, varying).t).toContain('{"rows sharing a value":{"v":[3]}}');
  expect(maskRows(rows('x', 'y', 'z'), varying, varying).t).toContain('{"rows sharing a value":{"v":[1,1,1]}}');
});

test('the queries of V and V+1 pass at every phase of a correct plan, and catch a rename made in expand', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-queries-'));
  writeFileSync(
    join(dir, '001_people.sql'),
    'CREATE TABLE people (id bigserial PRIMARY KEY, nick text NOT NULL, bio text);\n',
  );
  writeFileSync(join(dir, '002_rename.sql'), 'ALTER TABLE people RENAME COLUMN nick TO handle;\n');
  const planned = await plan({ file: join(dir, '002_rename.sql'), history: dir, out: join(dir, 'plan'), prove: true });
  // per version: both INSERTs, the UPDATE and the SELECT of people
  expect(planned.proof).toMatchObject({ result: 'equal', queries: { v: 4, v1: 4, v1After: 'trigger' } });
  expect(readFileSync(join(planned.dir, 'README.md'), 'utf8')).toMatch(
    /proven on PostgreSQL \d+: schema and rows equal, V and V\+1 queries pass at every phase \(4 generated rows in 1 table; 4 V queries until contract, 4 V\+1 queries from after trigger; /,
  );

  // the bug: a planner that takes the rename for an additive change and runs it in expand, as
  // written; the schema and rows at the end are the migration's, but V loses its column at once
  const manifest = readManifest(planned.dir);
  const expand = manifest.phases.find((p) => p.name === 'expand')!;
  const { down: _, present: __, ...phase } = expand;
  const wrong = {
    ...phase,
    steps: [{ ...expand.steps[0]!, sql: 'ALTER TABLE people RENAME COLUMN nick TO handle', down: undefined }].map(
      ({ down: _d, ...s }) => s,
    ),
  };
  wrong.sha256 = sha256(phaseFile(manifest.id, wrong));
  writeFileSync(join(planned.dir, wrong.file), phaseFile(manifest.id, wrong));
  writeFileSync(join(planned.dir, 'plan.json'), JSON.stringify({ ...manifest, phases: [wrong], checks: [] }));
  const proof = await prove({ planDir: planned.dir, file: join(dir, '002_rename.sql'), start: { history: dir } });
  expect(proof.result).toBe('failed');
  expect(proof.differences).toEqual([
    expect.stringMatching(
      /^after expand, V's query failed: INSERT INTO "public"."people" \("nick", "bio"\) VALUES \(\$1, \$2\) RETURNING "id"::text: column "nick" of relation "people" does not exist$/,
    ),
  ]);
});

test("a goose file's Down section is no part of its plan", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-goose-'));
  writeFileSync(
    join(dir, '20240101000000_notes.sql'),
    '-- +goose Up\nCREATE TABLE notes (id int PRIMARY KEY, body text);\n-- +goose Down\nDROP TABLE notes;\n',
  );
  writeFileSync(
    join(dir, '20240102000000_drop_body.sql'),
    '-- +goose Up\nALTER TABLE notes DROP COLUMN body;\n-- +goose Down\nDROP INDEX notes_pkey;\nALTER TABLE notes ADD COLUMN body text;\n',
  );
  const planned = await plan({ file: join(dir, '20240102000000_drop_body.sql'), history: dir, out: join(dir, 'plan') });
  const steps = planned.manifest.phases.flatMap((p) => p.steps.map((s) => s.sql)).join('\n');
  expect(steps).toMatch(/DROP COLUMN .*"body"/);
  expect(steps).not.toMatch(/notes_pkey|ADD COLUMN/);
});

test('a proof on a shared shadow drops its own databases; names are not reused after a drop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-shared-'));
  writeFileSync(join(dir, '001_people.sql'), 'CREATE TABLE people (id bigserial PRIMARY KEY, nick text NOT NULL);\n');
  writeFileSync(join(dir, '002_rename.sql'), 'ALTER TABLE people RENAME COLUMN nick TO handle;\n');
  const planned = await plan({ file: join(dir, '002_rename.sql'), history: dir, out: join(dir, 'plan') });
  const shadow = await Shadow.open({ url: inject('pgAdminUrl'), stop: async () => undefined });
  try {
    const a = await shadow.create('a');
    const b = await shadow.create('b');
    await shadow.drop(a.name);
    const again = await shadow.create('b');
    expect(again.name).not.toBe(b.name);
    const prefix = a.name.slice(0, a.name.indexOf('_0_a'));
    const names = async () =>
      (
        await c.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1`,
          [prefix],
        )
      ).rows.map((r) => r.datname);
    const before = await names();
    const proof = await prove({
      planDir: planned.dir,
      file: join(dir, '002_rename.sql'),
      start: { history: dir },
      shadow,
    });
    expect(proof.result).toBe('equal');
    expect(await names()).toEqual(before);
  } finally {
    await shadow.close();
  }
});

/** Runs `body` with a temporary directory of its own (TMPDIR), so that the initdb cache it makes
 *  and damages is its own: test files beside this one start embedded servers from theirs. */
async function inOwnTmpdir(body: () => Promise<void>): Promise<void> {
  const saved = process.env.TMPDIR;
  const own = mkdtempSync(join(tmpdir(), 'pgphase-tmpdir-'));
  // as the system's: run as root, the server's files are another user's
  chmodSync(own, 0o1777);
  process.env.TMPDIR = own;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(own, { recursive: true, force: true });
  }
}

const initdbCaches = () =>
  readdirSync(tmpdir()).filter((n) => n.startsWith('pgphase-initdb-') && n.endsWith(`-${userInfo().uid}`));

test(
  'an embedded PostgreSQL starts from the cached initdb data directory, with its password',
  () =>
    inOwnTmpdir(async () => {
      // the first start runs initdb and caches the cluster it made
      const first = await startEmbedded();
      await first.stop();
      const caches = initdbCaches();
      expect(caches).toHaveLength(1);
      const password = readFileSync(join(tmpdir(), caches[0]!, 'password'), 'utf8');
      const server = await startEmbedded();
      try {
        expect(decodeURIComponent(new URL(server.url).password)).toBe(password);
        // a new cluster: nothing of the servers started before it
        const client = await connect(server.url);
        const { rows } = await client
          .query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1')
          .finally(() => client.end());
        expect(rows.map((r) => r.datname)).toEqual(['postgres', 'template0', 'template1']);
      } finally {
        await server.stop();
      }
    }),
  60_000,
);

test(
  'an embedded PostgreSQL whose cached data directory does not start is made again, not waited for',
  () =>
    inOwnTmpdir(async () => {
      await (await startEmbedded()).stop();
      const caches = initdbCaches();
      expect(caches).toHaveLength(1);
      // a setting PostgreSQL does not know: the copied cluster exits at start
      appendFileSync(join(tmpdir(), caches[0]!, 'data', 'postgresql.conf'), '\npgphase_no_such_setting = 1\n');
      const server = await startEmbedded();
      try {
        const client = await connect(server.url);
        const { rows } = await client.query<{ one: number }>('SELECT 1 AS one').finally(() => client.end());
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await server.stop();
      }
    }),
  60_000,
);

test("an application's generated queries: by key where the table has one, rolled back, and the row must hold what was written", async () => {
  await runScript(
    c,
    `DROP SCHEMA public CASCADE; CREATE SCHEMA public;
     CREATE TABLE parent (id serial PRIMARY KEY, name text NOT NULL);
     CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, doc json, note text);
     CREATE TABLE log (msg text);
     CREATE TABLE seeded (id int PRIMARY KEY, rank smallint UNIQUE);
     INSERT INTO seeded SELECT g, g FROM generate_series(1, 9) g;`,
  );
  // whole numbers go above the rows the history inserted
  expect((await generateRows(c)).inserted.seeded).toBe(3);
  expect((await c.query('SELECT id FROM seeded WHERE id > 9 ORDER BY 1')).rows).toEqual([
    { id: 10 },
    { id: 11 },
    { id: 12 },
  ]);
  const all = await tables(c);
  const app = appQueries('V', all, new Set(['child', 'log']));
  expect(app.tables.map((t) => [t.table, t.queries.map((q) => q.sql.split(' ')[0])])).toEqual([
    ['child', ['INSERT', 'INSERT', 'UPDATE', 'SELECT']],
    // no key: no row to find again
    ['log', ['INSERT', 'INSERT']],
  ]);
  const select = app.tables[0]!.queries[3]!.sql;
  expect(select).toContain('"note" IS NOT DISTINCT FROM');
  expect(select, 'json has no equality').not.toContain('"doc" IS');
  expect(await runQueries(c, app)).toEqual([]);
  const count = async () =>
    (await c.query<{ n: number }>('SELECT (SELECT count(*) FROM child) + (SELECT count(*) FROM log) AS n')).rows[0]!.n;
  expect(Number(await count())).toBe(6);

  // a trigger that does not keep what the application writes
  await runScript(
    c,
    `CREATE FUNCTION keep_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := OLD.note; RETURN NEW; END $$;
    CREATE TRIGGER keep_note BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION keep_note();`,
  );
  expect(await runQueries(c, app)).toEqual([
    expect.objectContaining({
      table: 'child',
      query: app.tables[0]!.queries[3],
      error: '0 rows, expected 1 (the row does not hold what was written)',
    }),
  ]);
});

test('V+1 writes what the old schema takes too: a row that exists where the foreign key the migration drops is still checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-fk-'));
  writeFileSync(
    join(dir, '001_jobs.sql'),
    'CREATE TABLE configs (id text PRIMARY KEY);\nCREATE TABLE jobs (id bigint PRIMARY KEY, config_id text REFERENCES configs);\n',
  );
  writeFileSync(join(dir, '002_drop_fk.sql'), 'ALTER TABLE jobs DROP CONSTRAINT jobs_config_id_fkey;\n');
  const planned = await plan({ file: join(dir, '002_drop_fk.sql'), history: dir, out: join(dir, 'plan'), prove: true });
  // V+1 runs from the start, while the foreign key is still there
  expect(planned.proof).toMatchObject({ result: 'equal', queries: { v: 4, v1: 4 } });
  expect(planned.proof?.queries?.v1After).toBeUndefined();
});

test('a unique index on a foreign key whose every row the generated rows reference: the writes it refuses are listed, not a failed proof', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(
    join(dir, '001_profile.sql'),
    'CREATE TABLE account (id uuid PRIMARY KEY);\nCREATE TABLE profile (id bigint PRIMARY KEY, account_id uuid NOT NULL REFERENCES account (id), name text);\n',
  );
  writeFileSync(join(dir, '002_unique.sql'), 'CREATE UNIQUE INDEX profile_account_uq ON profile (account_id);\n');
  const planned = await plan({ file: join(dir, '002_unique.sql'), history: dir, out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal' });
  expect(readFileSync(join(planned.dir, 'README.md'), 'utf8')).toContain(
    'duplicate key value violates unique constraint "profile_account_uq" (its generated values break a rule the migration adds',
  );
});

test('a proof on fewer generated rows than it makes says why: the migration as written fails on the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(join(dir, '001_people.sql'), 'CREATE TABLE people (id bigint PRIMARY KEY, nick text, bio text);\n');
  writeFileSync(join(dir, '002_nick.sql'), 'ALTER TABLE people ALTER COLUMN nick SET NOT NULL;\n');
  writeFileSync(join(dir, '003_bio.sql'), "ALTER TABLE people ADD CONSTRAINT bio_x CHECK (bio LIKE 'x%');\n");
  const notNull = await plan({ file: join(dir, '002_nick.sql'), history: dir, out: join(dir, 'p2'), prove: true });
  expect(notNull.proof).toMatchObject({ result: 'equal', rows: 4 });
  expect(notNull.proof!.fewerRows).toMatch(/^the migration as written fails on generated rows with NULLs: .*"nick"/);
  const check = await plan({ file: join(dir, '003_bio.sql'), history: dir, out: join(dir, 'p3'), prove: true });
  expect(check.proof).toMatchObject({ result: 'equal', rows: 0 });
  expect(readFileSync(join(check.dir, 'README.md'), 'utf8')).toMatch(
    /0 generated rows in 0 tables, since the migration as written fails on generated rows with and without NULLs: .*"bio_x"/,
  );
  // a unique index: the rows but the twin
  const own = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(join(own, '001_people.sql'), 'CREATE TABLE people (id bigint PRIMARY KEY, nick text);\n');
  writeFileSync(join(own, '002_unique.sql'), 'CREATE UNIQUE INDEX people_nick ON people (nick);\n');
  const unique = await plan({ file: join(own, '002_unique.sql'), history: own, out: join(own, 'p'), prove: true });
  expect(unique.proof).toMatchObject({ result: 'equal', rows: 3 });
  expect(unique.proof!.fewerRows).toMatch(
    /^the migration as written fails on generated rows where one repeats another's values: .*people_nick/,
  );
  // with rows the migration takes, none is left out
  const create = await plan({ file: join(dir, '001_people.sql'), out: join(dir, 'p1'), prove: true });
  expect(create.proof?.fewerRows).toBeUndefined();
});

test('a rule the migration adds that the generated values break (a validating trigger) is not blamed on the plan', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-prove-'));
  writeFileSync(join(dir, '001_polls.sql'), 'CREATE TABLE polls (id bigserial PRIMARY KEY, data text NOT NULL);\n');
  writeFileSync(
    join(dir, '002_check.sql'),
    `CREATE FUNCTION polls_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.data::json ->> 'at')::bigint < (OLD.data::json ->> 'at')::bigint THEN RAISE EXCEPTION 'at went back'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER polls_check BEFORE UPDATE ON polls FOR EACH ROW EXECUTE FUNCTION polls_check();
`,
  );
  const planned = await plan({ file: join(dir, '002_check.sql'), history: dir, out: join(dir, 'plan'), prove: true });
  expect(planned.proof).toMatchObject({ result: 'equal', differences: [] });
  expect(planned.proof!.skipped).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^V: .*polls.*its generated values break a rule the migration adds: its table.s queries not run\)$/,
      ),
    ]),
  );
});
