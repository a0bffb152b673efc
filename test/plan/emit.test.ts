// `pgphase plan --emit`: for each migration tool, a history of that tool's own layout
// (fixtures/emit/<layout>), a column rename and a NOT NULL with a backfill planned and
// emitted as the tool's migrations, run release by release the way the tool runs a file
// (one simple-protocol query; BEGIN, the file, COMMIT; psql -f), with the old and the new
// application working throughout, the phases that need `pgphase run` refused clearly until
// it ran, and the final schema equal to the original migrations'. A later lint of the
// directory judges a follow-up migration against the schema after the plan.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { discoverSet } from '../../src/discover/index.js';
import { lint } from '../../src/index.js';
import { plan } from '../../src/plan/index.js';
import { replay, SchemaModel } from '../../src/schema/model.js';
import { qkey } from '../../src/sql/names.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { writeEmitted, type EmitLayout } from '../../src/plan/emit/index.js';
import { InputError } from '../../src/errors.js';
import { EmittedMigrations } from '../../src/plan/emit/recognise.js';
import { runPhase } from '../../src/runner/run.js';
import { catalog } from '../helpers/catalog.js';
import { addNext, atlasSum } from '../helpers/emit.js';
import { runCli } from '../helpers/cli.js';
import { resetSchema, testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const ref = await testDatabase();
const c = await db.client();
const r = await ref.client();
const [appV, appV1] = [await db.client(), await db.client()];

/** How the tool sends a migration file to PostgreSQL. */
type Model = 'one query' | 'transaction' | 'psql' | 'pending';

interface ToolCase {
  layout: EmitLayout;
  model: Model;
  /** Where the history lives in the project. */
  under: string;
  /** The tool cannot run a migration outside a transaction: a CONCURRENTLY step is left to `pgphase run`. */
  alwaysInTransaction?: true;
}

const CASES: ToolCase[] = [
  // golang-migrate and Prisma send a file as one simple-protocol query: one implicit transaction
  { layout: 'golang-migrate', model: 'one query', under: 'db/migrations' },
  { layout: 'prisma', model: 'one query', under: 'prisma/migrations' },
  // Flyway, Diesel, goose and dbmate wrap each file in a transaction
  { layout: 'flyway', model: 'transaction', under: 'src/main/resources/db/migration' },
  { layout: 'dbmate', model: 'transaction', under: 'db/migrations' },
  { layout: 'goose', model: 'transaction', under: 'migrations' },
  { layout: 'diesel', model: 'transaction', under: 'migrations' },
  // the Supabase CLI sends a file's statements and its history record as one batch: one implicit transaction
  { layout: 'supabase', model: 'one query', under: 'supabase/migrations', alwaysInTransaction: true },
  // the up/down and version-folder tools send a file as one query, as golang-migrate does
  { layout: 'up-down', model: 'one query', under: 'db/migrations' },
  { layout: 'version-dirs', model: 'one query', under: 'db/migrations' },
  // Atlas and pop wrap each file in a transaction, unless it opts out (atlas:txmode none, .autocommit)
  { layout: 'atlas', model: 'transaction', under: 'migrations' },
  { layout: 'pop', model: 'transaction', under: 'persistence/sql/migrations' },
  // sqlx wraps each migration in a transaction, unless its text begins with `-- no-transaction`
  { layout: 'sqlx', model: 'transaction', under: 'migrations' },
  // Liquibase runs each changeset in a transaction of its own, unless it says runInTransaction:false
  { layout: 'liquibase', model: 'transaction', under: 'src/main/resources/db/changelog' },
  // drizzle's migrator and node-pg-migrate run every pending migration in one transaction
  { layout: 'drizzle', model: 'pending', under: 'drizzle', alwaysInTransaction: true },
  { layout: 'node-pg-migrate', model: 'pending', under: 'migrations', alwaysInTransaction: true },
  // plain files are run with psql -f, statement by statement, and so are sqitch's deploy scripts
  { layout: 'plain', model: 'psql', under: 'sql' },
  { layout: 'sqitch', model: 'psql', under: 'db' },
];

/**
 * Whether the tool wraps the file in a transaction: not a goose file marked NO TRANSACTION, a
 * dbmate file marked transaction:false, a Diesel migration whose metadata.toml opts out, or a
 * Flyway file of only CONCURRENTLY statements (Flyway runs those outside one).
 */
function wrapped(layout: EmitLayout, file: string, text: string): boolean {
  if (layout === 'goose') return !/^-- \+goose NO TRANSACTION/m.test(text);
  if (layout === 'dbmate') return !/^-- migrate:up.*\btransaction:false/m.test(text);
  if (layout === 'diesel') {
    const metadata = join(dirname(file), 'metadata.toml');
    return !(existsSync(metadata) && /^run_in_transaction = false$/m.test(readFileSync(metadata, 'utf8')));
  }
  if (layout === 'atlas') return !/^-- atlas:txmode none$/m.test(text);
  if (layout === 'liquibase') return !/^--changeset .*\brunInTransaction:false\b/m.test(text);
  if (layout === 'pop') return !file.endsWith('.autocommit.up.sql');
  if (layout === 'sqlx') return !text.startsWith('-- no-transaction');
  if (layout === 'flyway') {
    const statements = text
      .replace(/--[^\n]*/g, '')
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean);
    return !statements.every((x) => /^(create|drop)\s+(unique\s+)?index\s+concurrently\b/i.test(x));
  }
  return true;
}

/** The up section the tool runs, read independently of pgphase's own discovery. */
function upSection(layout: EmitLayout, text: string): string {
  const between = (up: RegExp, down: RegExp) => {
    const lines = text.split('\n');
    const from = lines.findIndex((l) => up.test(l));
    const to = lines.findIndex((l, i) => i > from && down.test(l));
    return lines.slice(from + 1, to < 0 ? undefined : to);
  };
  if (layout === 'goose')
    return between(/^-- \+goose Up/, /^-- \+goose Down/)
      .filter((l) => !/^-- \+goose Statement(Begin|End)/.test(l))
      .join('\n');
  if (layout === 'dbmate') return between(/^-- migrate:up/, /^-- migrate:down/).join('\n');
  if (layout === 'node-pg-migrate') return between(/^-- Up Migration/, /^-- Down Migration/).join('\n');
  return text;
}

/**
 * Applies the not yet applied migrations of `root` in the tool's order, each as the tool runs
 * it, up to (not including) the first for which `stop` holds; stops at the first that fails.
 */
async function migrate(
  client: pg.Client,
  url: string,
  root: string,
  tool: ToolCase,
  applied: Set<string>,
  stop = (_rel: string) => false,
) {
  const pending: string[] = [];
  // a Liquibase changeset is a migration of its own, named by its file and its id
  const units = new Map<string, string>();
  for (const file of (await discoverSet(root)).files) {
    const rel =
      tool.layout === 'liquibase' ? `${relative(root, file.absPath)}#${file.migration}` : relative(root, file.absPath);
    if (tool.layout === 'liquibase') units.set(rel, file.text);
    if (applied.has(rel)) continue;
    if (stop(rel)) break;
    pending.push(rel);
  }
  if (tool.model === 'pending') {
    // one transaction for them all; drizzle sends each chunk between breakpoints as a query of its own
    await client.query('BEGIN');
    for (const rel of pending) {
      const text = upSection(tool.layout, readFileSync(join(root, rel), 'utf8'));
      try {
        for (const chunk of tool.layout === 'drizzle' ? text.split('--> statement-breakpoint') : [text])
          await client.query(chunk);
      } catch (e) {
        await client.query('ROLLBACK');
        return { done: [], failed: { rel, error: (e as Error).message } };
      }
    }
    await client.query('COMMIT');
    for (const rel of pending) applied.add(rel);
    return { done: pending, failed: undefined };
  }
  const done: string[] = [];
  for (const rel of pending) {
    const file = join(root, rel.replace(/#.*$/, ''));
    const raw = units.get(rel) ?? readFileSync(file, 'utf8');
    const text = upSection(tool.layout, raw);
    const transaction = tool.model === 'transaction' && wrapped(tool.layout, file, raw);
    let error: string | undefined;
    if (tool.model === 'psql') {
      const run = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file], { encoding: 'utf8' });
      if (run.status !== 0) error = run.stderr;
    } else {
      try {
        if (transaction) await client.query('BEGIN');
        await client.query(text);
        if (transaction) await client.query('COMMIT');
      } catch (e) {
        if (transaction) await client.query('ROLLBACK');
        error = (e as Error).message;
      }
    }
    if (error !== undefined) return { done, failed: { rel, error } };
    applied.add(rel);
    done.push(rel);
  }
  return { done, failed: undefined };
}

const phaseOf = (rel: string) => /[_-](expand|trigger|backfill|contract)(?:_\d+)?\b/.exec(rel)?.[1] ?? rel;
/** The phases a list of migrations belongs to, in order: a phase may take several migrations. */
const phasesOf = (rels: string[]) => [...new Set(rels.map(phaseOf))];

/** One round of the old application (users.full_name, may leave orders.status NULL) or the new one (users.display_name, always writes a status). */
async function round(client: pg.Client, version: 'V' | 'V+1', n: number): Promise<void> {
  const column = version === 'V' ? 'full_name' : 'display_name';
  const email = `${version}-${n}@example.com`;
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO users (email, ${column}) VALUES ($1, $2) RETURNING id`,
    [email, `${version} ${n}`],
  );
  const id = rows[0]!.id;
  expect(
    (await client.query(`UPDATE users SET ${column} = $2 WHERE id = $1`, [id, `${version} ${n} renamed`])).rowCount,
  ).toBe(1);
  expect((await client.query(`SELECT id FROM users WHERE ${column} = $1`, [`${version} ${n} renamed`])).rowCount).toBe(
    1,
  );
  if (version === 'V') await client.query('INSERT INTO orders (user_id, total_cents) VALUES ($1, 100)', [id]);
  else await client.query(`INSERT INTO orders (user_id, status, total_cents) VALUES ($1, 'paid', 100)`, [id]);
  expect((await client.query(`SELECT count(*)::int AS n FROM orders WHERE user_id = $1`, [id])).rows[0]!.n).toBe(1);
}

/**
 * A release whose first migration checks the backfill: refused, naming the job, until
 * `pgphase run … backfill` ran; then the rest of the release. A tool that runs all pending
 * migrations in one transaction refuses the contract too until its job ran (its scans need
 * transactions of their own). psql runs the backfill file itself.
 */
async function releaseWithJob(
  tool: ToolCase,
  root: string,
  applied: Set<string>,
  planDir: string,
  project: string,
  stop: (rel: string) => boolean,
  jobs: string[],
) {
  for (const job of tool.model === 'psql' ? [] : jobs) {
    const refused = await migrate(c, db.url, root, tool, applied, stop);
    expect(refused.done).toEqual([]);
    expect(phaseOf(refused.failed!.rel)).toBe(job);
    expect(refused.failed!.error).toContain(
      `run \`pgphase run ${relative(project, planDir)} ${job}\`, then this migration again`,
    );
    expect(await runPhase({ planDir, databaseUrl: db.url, phase: job as 'backfill' })).toBe('applied');
  }
  const release = await migrate(c, db.url, root, tool, applied, stop);
  expect(release.failed).toBeUndefined();
  return release.done;
}

/** The schema model a replay of the directory's migrations gives, up to `stop`: its tables' columns and constraints, and its indexes. */
async function replayed(root: string, stop: (rel: string) => boolean, project: string) {
  await loadParser();
  const schema = new SchemaModel();
  const emitted = new EmittedMigrations(project);
  for (const file of (await discoverSet(root)).files) {
    if (stop(relative(root, file.absPath))) break;
    replay(parseSource(file.path, emitted.recognise(file, root)?.replay ?? file.text), schema);
  }
  // pgphase's own record table is the one object the emitted migrations add
  const ours = (key: string) => key.startsWith(`${qkey({ schema: 'pgphase', name: '' })}`);
  const tables = [...schema.tables].filter(([key]) => !ours(key));
  return {
    tables: Object.fromEntries(
      tables.map(([key, t]) => [
        key,
        {
          columns: [...t.columns.values()]
            .map((c) => `${c.name} ${JSON.stringify(c.type)}${c.notNull ? ' NOT NULL' : ''}`)
            .sort(),
          constraints: [...t.constraints.keys()].sort(),
        },
      ]),
    ),
    indexes: [...schema.indexes.keys()].filter((key) => !ours(key)).sort(),
  };
}

const SEED = `INSERT INTO users (email, full_name) SELECT 'user' || g || '@example.com', 'user ' || g FROM generate_series(1, 3000) g;
  INSERT INTO orders (user_id, status, total_cents) SELECT 1 + g % 3000, CASE WHEN g % 4 = 0 THEN NULL ELSE 'paid' END, g FROM generate_series(1, 3000) g;`;

describe.each(CASES)('plan --emit $layout', (tool) => {
  it('replaces the migrations with the phases as the tool runs them, release by release, V and V+1 working', async () => {
    const project = mkdtempSync(join(tmpdir(), 'pgphase-emit-'));
    const root = join(project, tool.under);
    cpSync(join('fixtures/emit', tool.layout), root, { recursive: true });
    const next = join('fixtures/emit', `${tool.layout}.next`);
    const isRename = (rel: string) => rel.includes('rename_users_full_name');
    const isFollowUp = (rel: string) => rel.includes('widen_users_display_name');

    // the database as it is before the rename ships
    await resetSchema(c);
    const applied = new Set<string>();
    expect((await migrate(c, db.url, root, tool, applied, isRename)).failed).toBeUndefined();
    await c.query(SEED);
    await round(appV, 'V', 0);

    // the rename, planned from the history and emitted in the tool's layout
    const renameFile = (await discoverSet(root)).files.find((f) => isRename(relative(root, f.absPath)))!.absPath;
    const rename = await plan({ file: renameFile, history: root, cwd: project, batchSize: 500, emit: tool.layout });
    if (tool.layout === 'atlas') expect(readFileSync(join(root, 'atlas.sum'), 'utf8')).toBe(atlasSum(root));
    expect(rename.dir).toBe(join(project, tool.under, '..', 'pgphase', rename.manifest.id));
    // replaced: its file removed, or (Liquibase) its changeset in its changelog
    if (tool.layout === 'liquibase')
      expect(readFileSync(renameFile, 'utf8')).not.toMatch(/^--changeset jane:rename-users-full-name /m);
    else expect(existsSync(renameFile)).toBe(false);
    expect(rename.emitted!.phases.map((p) => p.phase)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    // the README names the job between the releases, where the tool cannot run the backfill
    const job = `a job: \`pgphase run ${relative(project, rename.dir)} backfill\``;
    if (tool.model === 'psql') expect(readFileSync(join(rename.dir, 'README.md'), 'utf8')).not.toContain(job);
    else expect(readFileSync(join(rename.dir, 'README.md'), 'utf8')).toContain(job);

    // release 1: expand and trigger, V still running and V+1 starting
    const isBackfill = (rel: string) => phaseOf(rel) === 'backfill';
    const release = await migrate(c, db.url, root, tool, applied, isBackfill);
    expect(release.failed).toBeUndefined();
    expect(phasesOf(release.done)).toEqual(['expand', 'trigger']);
    await round(appV, 'V', 1);
    await round(appV1, 'V+1', 1);
    // release 2: the backfill's migration refuses, naming the job, until the job ran; then contract
    const contractJob = tool.model === 'pending' ? ['contract'] : [];
    let done = await releaseWithJob(
      tool,
      root,
      applied,
      rename.dir,
      project,
      (rel) => isFollowUp(rel) || rel.includes('orders_status_not_null'),
      ['backfill', ...contractJob],
    );
    expect(phasesOf(done)).toEqual(['backfill', 'contract']);
    expect((await c.query('SELECT count(*)::int AS n FROM users WHERE display_name IS NULL')).rows[0]!.n).toBe(0);
    await round(appV1, 'V+1', 3);
    await expect(round(appV, 'V', 3)).rejects.toThrow(/full_name/);

    // the NOT NULL with its backfill, written after the plan and planned over the emitted migrations
    addNext(tool.layout, next, root);
    const notNullFile = (await discoverSet(root)).files.find((f) =>
      f.absPath.includes('orders_status_not_null'),
    )!.absPath;
    const notNull = await plan({ file: notNullFile, history: root, cwd: project, batchSize: 500, emit: tool.layout });
    if (tool.layout === 'atlas') expect(readFileSync(join(root, 'atlas.sum'), 'utf8')).toBe(atlasSum(root));
    expect(notNull.emitted!.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['backfill', tool.model === 'psql' ? 'steps' : 'check'],
      ['contract', tool.model === 'pending' ? 'check' : 'steps'],
    ]);
    const isIndex = (rel: string) => rel.includes('index_orders_status');
    done = await releaseWithJob(tool, root, applied, notNull.dir, project, (rel) => isIndex(rel) || isFollowUp(rel), [
      'backfill',
      ...contractJob,
    ]);
    expect(phasesOf(done)).toEqual(['backfill', 'contract']);
    expect((await c.query('SELECT count(*)::int AS n FROM orders WHERE status IS NULL')).rows[0]!.n).toBe(0);
    await round(appV1, 'V+1', 4);

    // an index: built CONCURRENTLY by a migration the tool runs outside a transaction, then checked valid and
    // recorded; by `pgphase run` where the tool runs every migration in a transaction, its migration checking that
    const indexFile = (await discoverSet(root)).files.find((f) => isIndex(relative(root, f.absPath)))!.absPath;
    const index = await plan({ file: indexFile, history: root, cwd: project, emit: tool.layout });
    expect(index.emitted!.phases.map((p) => [p.phase, p.kind])).toEqual([
      ['expand', tool.alwaysInTransaction ? 'check' : 'steps'],
    ]);
    done = await releaseWithJob(
      tool,
      root,
      applied,
      index.dir,
      project,
      isFollowUp,
      tool.alwaysInTransaction ? ['expand'] : [],
    );
    expect(phasesOf(done)).toEqual(['expand']);
    expect(done).toHaveLength(tool.model === 'psql' || tool.alwaysInTransaction ? 1 : 2);
    expect(
      (await c.query(`SELECT status FROM pgphase.phase_log WHERE plan_id = $1`, [index.manifest.id])).rows,
    ).toEqual([{ status: 'applied' }]);
    await round(appV1, 'V+1', 5);

    // no emitted migration validates a constraint under the lock that added it: each scan has a transaction of its own
    // (linted away from their plans, so that the rules judge them)
    const away = join(mkdtempSync(join(tmpdir(), 'pgphase-emit-')), 'migrations');
    cpSync(root, away, { recursive: true });
    const emittedLint = await lint({ paths: [away], cwd: dirname(away) });
    expect(
      emittedLint.result.files.flatMap((f) =>
        f.findings.filter((x) => x.rule === 'validate-in-same-transaction').map((x) => `${f.path}: ${x.message}`),
      ),
    ).toEqual([]);

    // the same schema as the original migrations give, run by the same tool
    await resetSchema(r);
    const original = join(mkdtempSync(join(tmpdir(), 'pgphase-emit-')), 'migrations');
    cpSync(join('fixtures/emit', tool.layout), original, { recursive: true });
    addNext(tool.layout, next, original);
    expect((await migrate(r, ref.url, original, tool, new Set(), isFollowUp)).failed).toBeUndefined();
    expect(await catalog(c)).toEqual(await catalog(r));

    // replayed, the emitted migrations give the schema the original ones give (a check replays as the phase it checks)
    expect(await replayed(root, isFollowUp, project)).toEqual(await replayed(original, isFollowUp, project));

    // a later lint of the directory judges the follow-up against the planned schema
    const followUp = (await discoverSet(root)).files.find((f) => isFollowUp(relative(root, f.absPath)))!.absPath;
    const judged = await lint({ paths: [followUp], cwd: project });
    const messages = judged.result.files.flatMap((f) => f.findings.map((x) => x.message));
    expect(messages.join('\n')).not.toMatch(/the old type of "display_name" is unknown/);
    expect(messages.join('\n')).toMatch(/display_name/);
    // without the plan's migrations the column is unknown: the judgement above rests on them
    for (const p of rename.emitted!.phases)
      for (const f of p.files) rmSync(join(root, f), { recursive: true, force: true });
    // (Liquibase: the changesets that took the rename's place in its changelog)
    const renamed = join(root, 'changes/0004_rename_users_full_name.sql');
    if (tool.layout === 'liquibase') writeFileSync(renamed, '--liquibase formatted sql\n');
    const blind = await lint({ paths: [followUp], cwd: project });
    expect(blind.result.files.flatMap((f) => f.findings.map((x) => x.message)).join('\n')).toMatch(
      /the old type of "display_name" is unknown/,
    );
    rmSync(project, { recursive: true, force: true });
  });
});

describe('plan --emit dbmate, with dbmate itself', () => {
  const dbmate = join(process.cwd(), 'node_modules/.bin/dbmate');
  const url = (() => {
    const u = new URL(db.url);
    u.searchParams.set('sslmode', 'disable');
    return u.toString();
  })();
  const up = (root: string) =>
    spawnSync(dbmate, ['--url', url, '--migrations-dir', root, '--no-dump-schema', 'up'], { encoding: 'utf8' });
  const tool = CASES.find((t) => t.layout === 'dbmate')!;

  it.runIf(existsSync(dbmate))(
    'ships the rename and the NOT NULL in releases dbmate runs, refusing each backfill migration until its job ran',
    async () => {
      const project = mkdtempSync(join(tmpdir(), 'pgphase-emit-'));
      const root = join(project, 'db/migrations');
      cpSync('fixtures/emit/dbmate', root, { recursive: true });
      const renameName = '20240301090000_rename_users_full_name.sql';
      const renameText = readFileSync(join(root, renameName), 'utf8');
      rmSync(join(root, renameName));
      await resetSchema(c);
      await c.query('DROP TABLE IF EXISTS schema_migrations');
      expect(up(root).status).toBe(0);
      await c.query(SEED);

      writeFileSync(join(root, renameName), renameText);
      const rename = await plan({
        file: join(root, renameName),
        history: root,
        cwd: project,
        batchSize: 500,
        emit: 'auto',
      });
      let run = up(root);
      expect(run.status).not.toBe(0);
      expect(run.stderr + run.stdout).toContain(
        `run \`pgphase run ${relative(project, rename.dir)} backfill\`, then this migration again`,
      );
      await round(appV, 'V', 1);
      await round(appV1, 'V+1', 1);
      expect(await runPhase({ planDir: rename.dir, databaseUrl: db.url, phase: 'backfill' })).toBe('applied');
      expect(up(root).status).toBe(0);
      await round(appV1, 'V+1', 2);

      cpSync(
        'fixtures/emit/dbmate.next/20240315110000_orders_status_not_null.sql',
        join(root, '20240315110000_orders_status_not_null.sql'),
      );
      const notNull = await plan({
        file: join(root, '20240315110000_orders_status_not_null.sql'),
        history: root,
        cwd: project,
        batchSize: 500,
        emit: 'auto',
      });
      run = up(root);
      expect(run.stderr + run.stdout).toContain(`run \`pgphase run ${relative(project, notNull.dir)} backfill\``);
      expect(await runPhase({ planDir: notNull.dir, databaseUrl: db.url, phase: 'backfill' })).toBe('applied');
      run = up(root);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      await round(appV1, 'V+1', 3);
      // an index: dbmate runs its transaction:false migration outside a transaction
      cpSync(
        'fixtures/emit/dbmate.next/20240320100000_index_orders_status.sql',
        join(root, '20240320100000_index_orders_status.sql'),
      );
      await plan({
        file: join(root, '20240320100000_index_orders_status.sql'),
        history: root,
        cwd: project,
        emit: 'auto',
      });
      run = up(root);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      // dbmate's own record is the only difference to the original migrations' schema
      await c.query('DROP TABLE schema_migrations');
      await resetSchema(r);
      const original = join(mkdtempSync(join(tmpdir(), 'pgphase-emit-')), 'migrations');
      cpSync('fixtures/emit/dbmate', original, { recursive: true });
      cpSync(
        'fixtures/emit/dbmate.next/20240315110000_orders_status_not_null.sql',
        join(original, '20240315110000_orders_status_not_null.sql'),
      );
      cpSync(
        'fixtures/emit/dbmate.next/20240320100000_index_orders_status.sql',
        join(original, '20240320100000_index_orders_status.sql'),
      );
      expect((await migrate(r, ref.url, original, tool, new Set())).failed).toBeUndefined();
      expect(await catalog(c)).toEqual(await catalog(r));
    },
  );
});

/** A tool run as it ships: `deploy(root, last)` applies its pending migrations up to and including `last` (all without). */
interface RealTool {
  layout: EmitLayout;
  under: string;
  installed: boolean;
  deploy(root: string, url: string, last?: string): { status: number | null; output: string };
  /** Where it records what it applied, dropped before schemas are compared. */
  registry: string;
}

/** drizzle's migrator, as drizzle-kit migrate runs it, over a copy of the folder whose journal ends at `last`. */
const drizzleScript = `
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try { await migrate(drizzle(client), { migrationsFolder: process.argv[1] }); } finally { await client.end(); }
`;

const bin = (name: string) => join(process.cwd(), 'node_modules/.bin', name);
const sqitchInstalled = spawnSync('sqitch', ['--version']).status === 0;
const REAL: RealTool[] = [
  {
    layout: 'sqitch',
    under: 'db',
    installed: sqitchInstalled,
    deploy: (root, url, last) => {
      const target = `db:${url.replace(/^postgres(?:ql)?:/, 'pg:')}`;
      const to = last ? ['--to', last.slice('deploy/'.length, -'.sql'.length)] : [];
      const run = spawnSync('sqitch', ['--chdir', root, 'deploy', '--verify', target, ...to], { encoding: 'utf8' });
      return { status: run.status, output: run.stdout + run.stderr };
    },
    registry: 'DROP SCHEMA IF EXISTS sqitch CASCADE',
  },
  {
    layout: 'node-pg-migrate',
    under: 'migrations',
    installed: existsSync(bin('node-pg-migrate')),
    deploy: (root, url, last) => {
      // up to a migration: every pending one whose timestamp is not later than its
      const to = last ? [last.split('_')[0]!, '--timestamp'] : [];
      const run = spawnSync(bin('node-pg-migrate'), ['up', ...to, '-m', root, '--verbose', 'false'], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: url },
      });
      return { status: run.status, output: run.stdout + run.stderr };
    },
    registry: 'DROP TABLE IF EXISTS public.pgmigrations',
  },
  {
    layout: 'drizzle',
    under: 'drizzle',
    installed: existsSync(join(process.cwd(), 'node_modules/drizzle-orm')),
    deploy: (root, url, last) => {
      const shipped = mkdtempSync(join(tmpdir(), 'pgphase-drizzle-'));
      cpSync(root, shipped, { recursive: true });
      const journal = JSON.parse(readFileSync(join(root, 'meta/_journal.json'), 'utf8')) as {
        entries: Array<{ tag: string }>;
      };
      if (last)
        journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => `${e.tag}.sql` === last) + 1);
      writeFileSync(join(shipped, 'meta/_journal.json'), JSON.stringify(journal));
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', drizzleScript, shipped], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: url },
      });
      return { status: run.status, output: run.stdout + run.stderr };
    },
    registry: 'DROP SCHEMA IF EXISTS drizzle CASCADE',
  },
];

describe.each(REAL)('plan --emit $layout, with the tool itself', (tool) => {
  /** The last migration, in the tool's order, before the first for which `stop` holds. */
  const lastBefore = async (root: string, stop: (rel: string) => boolean) => {
    const rels = (await discoverSet(root)).files.map((f) => relative(root, f.absPath));
    const at = rels.findIndex(stop);
    return rels[(at < 0 ? rels.length : at) - 1]!;
  };
  /** Ships a release: refused by each check migration in turn, naming its job, until the job ran. */
  const ship = async (root: string, last: string | undefined, planDir: string, project: string, jobs: string[]) => {
    for (const job of jobs) {
      const refused = tool.deploy(root, db.url, last);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toContain(
        `run \`pgphase run ${relative(project, planDir)} ${job}\`, then this migration again`,
      );
      expect(await runPhase({ planDir, databaseUrl: db.url, phase: job as 'backfill' })).toBe('applied');
    }
    const run = tool.deploy(root, db.url, last);
    expect(run.output).not.toMatch(/error/i);
    expect(run.status).toBe(0);
  };
  const statements = tool.layout === 'sqitch';

  it.runIf(tool.installed)(
    'ships the rename, the NOT NULL and an index in releases the tool runs, V and V+1 working (skipped when the tool is not installed)',
    async () => {
      const project = mkdtempSync(join(tmpdir(), 'pgphase-emit-'));
      const root = join(project, tool.under);
      cpSync(join('fixtures/emit', tool.layout), root, { recursive: true });
      const next = join('fixtures/emit', `${tool.layout}.next`);
      const isRename = (rel: string) => rel.includes('rename_users_full_name');
      await resetSchema(c);
      await c.query(tool.registry);
      let run = tool.deploy(root, db.url, await lastBefore(root, isRename));
      expect(run.status, run.output).toBe(0);
      await c.query(SEED);
      await round(appV, 'V', 0);

      const renameFile = (await discoverSet(root)).files.find((f) => isRename(relative(root, f.absPath)))!.absPath;
      const rename = await plan({ file: renameFile, history: root, cwd: project, batchSize: 500, emit: tool.layout });
      // release 1: expand and trigger
      run = tool.deploy(root, db.url, await lastBefore(root, (rel) => phaseOf(rel) === 'backfill'));
      expect(run.status, run.output).toBe(0);
      await round(appV, 'V', 1);
      await round(appV1, 'V+1', 1);
      // release 2: the backfill and the contract, with their jobs where the tool cannot run them
      await ship(root, undefined, rename.dir, project, statements ? [] : ['backfill', 'contract']);
      expect((await c.query('SELECT count(*)::int AS n FROM users WHERE display_name IS NULL')).rows[0]!.n).toBe(0);
      await round(appV1, 'V+1', 2);
      await expect(round(appV, 'V', 2)).rejects.toThrow(/full_name/);

      addNext(tool.layout, next, root);
      const isIndex = (rel: string) => rel.includes('index_orders_status');
      const notNullFile = (await discoverSet(root)).files.find((f) =>
        f.absPath.includes('orders_status_not_null'),
      )!.absPath;
      const notNull = await plan({ file: notNullFile, history: root, cwd: project, batchSize: 500, emit: tool.layout });
      await ship(
        root,
        await lastBefore(root, isIndex),
        notNull.dir,
        project,
        statements ? [] : ['backfill', 'contract'],
      );
      expect((await c.query('SELECT count(*)::int AS n FROM orders WHERE status IS NULL')).rows[0]!.n).toBe(0);
      await round(appV1, 'V+1', 3);
      const indexFile = (await discoverSet(root)).files.find((f) => isIndex(relative(root, f.absPath)))!.absPath;
      const index = await plan({ file: indexFile, history: root, cwd: project, emit: tool.layout });
      await ship(root, undefined, index.dir, project, statements ? [] : ['expand']);
      expect(
        (await c.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_status_idx'::regclass`)).rows,
      ).toEqual([{ indisvalid: true }]);
      await round(appV1, 'V+1', 4);

      // the original migrations, run by the same tool, give the same schema
      await resetSchema(r);
      await r.query(tool.registry);
      const original = join(mkdtempSync(join(tmpdir(), 'pgphase-emit-')), tool.under);
      cpSync(join('fixtures/emit', tool.layout), original, { recursive: true });
      addNext(tool.layout, next, original);
      run = tool.deploy(original, ref.url);
      expect(run.status, run.output).toBe(0);
      await c.query(tool.registry);
      await r.query(tool.registry);
      expect(await catalog(c)).toEqual(await catalog(r));
      rmSync(project, { recursive: true, force: true });
    },
  );
});

describe('plan --emit, what it plans and refuses', () => {
  /** A project holding `files` under `under`. */
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'pgphase-emit-'));
    for (const [path, text] of Object.entries(files)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    return dir;
  };

  it("plans a goose or dbmate file's up section only, with and without the history", async () => {
    const goose = project({
      'm/001_t.sql': '-- +goose Up\nCREATE TABLE t (id bigint PRIMARY KEY, a int);\n-- +goose Down\nDROP TABLE t;\n',
      'm/002_i.sql': '-- +goose Up\nCREATE INDEX t_a ON t (a);\n-- +goose Down\nDROP INDEX t_a;\n',
    });
    const dbmate = project({
      'm/20240101000000_i.sql': '-- migrate:up\nCREATE INDEX t_a ON t (a);\n\n-- migrate:down\nDROP INDEX t_a;\n',
    });
    for (const [dir, file, history] of [
      [goose, 'm/002_i.sql', 'm'],
      [goose, 'm/002_i.sql', undefined],
      [dbmate, 'm/20240101000000_i.sql', undefined],
    ] as const) {
      const p = await plan({
        file,
        cwd: dir,
        emit: 'plan',
        out: `plan-${history ?? 'none'}`,
        ...(history && { history }),
      });
      const sql = p.manifest.phases.flatMap((phase) => phase.steps.map((s) => s.sql));
      expect(sql.join('\n')).toContain('CREATE INDEX CONCURRENTLY');
      expect(sql.join('\n')).not.toMatch(/DROP INDEX/);
    }
  });

  it('replaces a migration that has no down file of its own: a version folder of plain .sql files, a simple sqlx migration', async () => {
    const create = 'CREATE TABLE t (id bigint PRIMARY KEY, a int);\n';
    const index = 'CREATE INDEX t_a ON t (a);\n';
    for (const [files, planned, layout] of [
      [{ 'db/0001/01_t.sql': create, 'db/0002/01_i.sql': index }, 'db/0002/01_i.sql', 'version-dirs'],
      [
        { 'Cargo.toml': '[dependencies]\nsqlx = "0.8"\n', 'm/1_t.sql': create, 'm/2_i.sql': index },
        'm/2_i.sql',
        'sqlx',
      ],
    ] as const) {
      const dir = project(files);
      const p = await plan({ file: planned, cwd: dir, emit: layout });
      // removed once: a second removal of the same file failed the emission, which put the history back
      expect(p.emitted!.removed).toEqual([planned.slice(planned.indexOf('/') + 1)]);
      expect(existsSync(join(dir, planned))).toBe(false);
      const root = join(dir, planned.split('/')[0]!);
      for (const file of p.emitted!.phases.flatMap((phase) => phase.files))
        expect(existsSync(join(root, file)), file).toBe(true);
    }
  });

  it('refuses, writing nothing, a layout other than the directory has and a history with no room after the migration', async () => {
    const dir = project({
      'db/migrations/000001_t.up.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);\n',
      'db/migrations/000002_r.up.sql': 'ALTER TABLE t RENAME COLUMN a TO b;\n',
      'db/migrations/000003_x.up.sql': 'SELECT 1;\n',
    });
    const files = () => readdirSync(join(dir, 'db/migrations')).sort();
    const before = files();
    await expect(
      plan({ file: 'db/migrations/000002_r.up.sql', history: 'db/migrations', cwd: dir, emit: 'goose' }),
    ).rejects.toThrow(
      /not a goose migration of .*; pass --emit with the layout of its directory \(golang-migrate\), or --emit plan/,
    );
    await expect(
      plan({ file: 'db/migrations/000002_r.up.sql', history: 'db/migrations', cwd: dir, emit: 'auto' }),
    ).rejects.toThrow(
      /000002_r\.up\.sql: no room for the plan's \d+ migrations after db\/migrations\/000001_t\.up\.sql and before db\/migrations\/000003_x\.up\.sql in golang-migrate's order; give the migrations after it later versions, or use --emit plan/,
    );
    expect(files()).toEqual(before);
    expect(existsSync(join(dir, 'db/pgphase'))).toBe(false);
    // with --keep-original, the migration stays next to the ones replacing it
    rmSync(join(dir, 'db/migrations/000003_x.up.sql'));
    const kept = await plan({
      file: 'db/migrations/000002_r.up.sql',
      history: 'db/migrations',
      cwd: dir,
      keepOriginal: true,
      emit: 'auto',
    });
    expect(kept.emitted!.removed).toEqual([]);
    expect(files()).toContain('000002_r.up.sql');
    expect(readFileSync(join(kept.dir, 'README.md'), 'utf8')).toContain('which is kept (`--keep-original`)');
  });

  it('writes the plan directory only where nothing else is lost: never over the history, the working directory or a directory not its own', async () => {
    const dir = project({
      'IMPORTANT.txt': 'keep me\n',
      'm/001_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\n',
      'm/002_r.sql': 'ALTER TABLE t RENAME COLUMN a TO b;\n',
      'notes/todo.md': 'x\n',
    });
    mkdirSync(join(dir, 'empty'));
    const planned = (out: string, force = true) => plan({ file: 'm/002_r.sql', cwd: dir, out, force, emit: 'plan' });
    await expect(planned('.')).rejects.toThrow(
      /: holds the migration, which writing the plan there would delete; choose another --out$/,
    );
    await expect(
      plan({ file: '../m/002_r.sql', cwd: join(dir, 'notes'), out: '.', force: true, emit: 'plan' }),
    ).rejects.toThrow(/notes: holds the working directory, which writing/);
    await expect(planned('m')).rejects.toThrow(/m: holds the migration, which writing/);
    await expect(planned('notes')).rejects.toThrow(
      /notes: already exists and is not a plan directory \(no plan\.json\)/,
    );
    await expect(planned('IMPORTANT.txt')).rejects.toThrow(/IMPORTANT\.txt: is a file; choose another --out/);
    expect(readFileSync(join(dir, 'IMPORTANT.txt'), 'utf8')).toBe('keep me\n');
    expect(readdirSync(join(dir, 'm')).sort()).toEqual(['001_t.sql', '002_r.sql']);
    expect(readdirSync(join(dir, 'notes'))).toEqual(['todo.md']);
    // an empty directory is written without --force; the plan it then holds is replaced only with it
    await planned('empty', false);
    await expect(planned('empty', false)).rejects.toThrow(/empty: already exists; pass --force to replace it/);
    expect((await planned('empty')).manifest.phases.length).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the plan directory in the files it writes from the git work tree's root, else from the working directory, never by an absolute path", async () => {
    const files = {
      'db/migrations/000001_t.up.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\n',
      'db/migrations/000002_r.up.sql': 'ALTER TABLE t RENAME COLUMN a TO b;\n',
    };
    for (const [dir, ref] of [
      [project({ ...files, '.git/HEAD': 'ref: refs/heads/main\n' }), 'db/pgphase/000002_r'],
      [project(files), '../pgphase/000002_r'],
    ] as const) {
      // planned from inside the history, so that the plan directory (db/pgphase/<id>) is outside the working directory
      const p = await plan({ file: '000002_r.up.sql', cwd: join(dir, 'db/migrations'), emit: 'auto' });
      const written = [
        ...p.emitted!.phases.flatMap((phase) => phase.files.map((f) => join(dir, 'db/migrations', f))),
        join(p.dir, 'README.md'),
      ].map((f) => readFileSync(f, 'utf8'));
      expect(written.join('\n')).not.toContain(dir);
      expect(written.join('\n')).toContain(`pgphase run ${ref} backfill`);
      // and a lint from the project's root finds the plan the emitted migrations name
      const linted = await lint({ paths: ['db/migrations'], cwd: dir });
      expect(linted.result.files.flatMap((f) => f.findings.map((x) => x.rule))).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('emits hostile names quoted, and a plan directory whose path holds a line break only inside comments', async () => {
    const dir = project({
      'db/migrations/000001_t.up.sql': 'CREATE TABLE "select" (id bigint PRIMARY KEY, "a""b" text NOT NULL);\n',
      'db/migrations/000002_r.up.sql': 'ALTER TABLE "select" RENAME COLUMN "a""b" TO "ünï ""x""";\n',
    });
    const tool = CASES.find((t) => t.layout === 'golang-migrate')!;
    const root = join(dir, 'db/migrations');
    await resetSchema(c);
    const applied = new Set<string>();
    expect((await migrate(c, db.url, root, tool, applied, (rel) => rel.startsWith('000002'))).failed).toBeUndefined();
    await c.query(`INSERT INTO "select" SELECT g, 'v' || g FROM generate_series(1, 50) g`);
    const p = await plan({
      file: 'db/migrations/000002_r.up.sql',
      history: 'db/migrations',
      cwd: dir,
      out: 'plans/odd\nname',
      emit: 'auto',
    });
    expect((await migrate(c, db.url, root, tool, applied)).failed!.error).toContain(
      'pgphase run plans/odd\nname backfill',
    );
    expect(await runPhase({ planDir: p.dir, databaseUrl: db.url, phase: 'backfill' })).toBe('applied');
    expect((await migrate(c, db.url, root, tool, applied)).failed).toBeUndefined();
    expect((await c.query(`SELECT count(*)::int AS n FROM "select" WHERE "ünï ""x""" LIKE 'v%'`)).rows[0]!.n).toBe(50);
  });

  it('leaves a validation to pgphase run where the tool would run it in the transaction that added the constraint', async () => {
    const files = (dir: string) => ({
      [`${dir}/1704456000000_t.sql`]:
        '-- Up Migration\nCREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint);\n-- Down Migration\nDROP TABLE b, a;\n',
      [`${dir}/1704456100000_fk.sql`]:
        '-- Up Migration\nALTER TABLE b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a (id);\n-- Down Migration\nALTER TABLE b DROP CONSTRAINT b_a_fk;\n',
    });
    // node-pg-migrate runs the pending migrations in one transaction: ADD … NOT VALID's lock would be held through VALIDATE's scan
    const pending = project(files('m'));
    const p = await plan({ file: 'm/1704456100000_fk.sql', history: 'm', cwd: pending, emit: 'auto' });
    expect(p.emitted!.phases.map((x) => [x.phase, x.kind])).toEqual([
      ['expand', 'steps'],
      ['backfill', 'check'],
    ]);
    expect(readFileSync(join(p.dir, 'README.md'), 'utf8')).toContain(
      `a job: \`pgphase run ${relative(pending, p.dir)} backfill\` (its scans must not run under the locks earlier steps took`,
    );
    // goose runs each in a transaction of its own: the validation is a migration
    const own = project({
      'm/001_t.sql':
        '-- +goose Up\nCREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint);\n',
      'm/002_fk.sql': '-- +goose Up\nALTER TABLE b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a (id);\n',
    });
    const g = await plan({ file: 'm/002_fk.sql', history: 'm', cwd: own, emit: 'auto' });
    expect(g.emitted!.phases.map((x) => [x.phase, x.kind])).toEqual([
      ['expand', 'steps'],
      ['backfill', 'steps'],
    ]);
  });

  it('refuses, with one line and writing nothing, an index it cannot keep right: a sqitch change requiring the planned one, a drizzle journal with no room or unreadable, a Liquibase file of several changesets', async () => {
    const rename = 'ALTER TABLE t RENAME COLUMN a TO b;\n';
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [
        {
          'db/sqitch.plan':
            '%project=x\n\nt 2024-01-01T00:00:00Z Jane <j@example.com> # t\nr [t] 2024-01-02T00:00:00Z Jane <j@example.com> # r\nlater [r] 2024-01-03T00:00:00Z Jane <j@example.com> # later\n',
          'db/deploy/t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);\n',
          'db/deploy/r.sql': rename,
          'db/deploy/later.sql': 'SELECT 1;\n',
        },
        'db/deploy/r.sql',
        /sqitch\.plan: change later requires r, which the plan's changes replace; make it require r_contract instead, then plan again$/,
      ],
      [
        {
          'db/meta/_journal.json': JSON.stringify({
            entries: [
              { idx: 0, version: '7', when: 1000, tag: '0000_t', breakpoints: true },
              { idx: 1, version: '7', when: 2000, tag: '0001_r', breakpoints: true },
              { idx: 2, version: '7', when: 2001, tag: '0002_x', breakpoints: true },
            ],
          }),
          'db/0000_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);\n',
          'db/0001_r.sql': rename,
          'db/0002_x.sql': 'SELECT 1;\n',
        },
        'db/0001_r.sql',
        /_journal\.json: no room for the plan's \d+ migrations between 0001_r and 0002_x \(their `when` is 1 ms apart\); use --emit plan$/,
      ],
      [
        {
          'db/meta/_journal.json': '{"entries": [',
          'db/0000_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);\n',
          'db/0001_r.sql': rename,
        },
        'db/0001_r.sql',
        /_journal\.json: not valid JSON \(.*\); fix the journal, then plan again$/,
      ],
      [
        {
          'db/changelog.yaml': 'databaseChangeLog:\n  - include:\n      file: all.sql\n',
          'db/all.sql': `--liquibase formatted sql\n--changeset j:1\nCREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);\n--changeset j:2\n${rename}`,
        },
        'db/all.sql',
        /all\.sql: holds 2 changesets; put the changeset to plan in a changelog file of its own, then plan it$/,
      ],
    ];
    for (const [files, file, message] of cases) {
      const dir = project(files);
      const before = readdirSync(join(dir, 'db'), { recursive: true }).map(String).sort();
      const r = runCli(['plan', file, '--history', 'db', '--no-prove'], { cwd: dir });
      expect([r.code, r.stderr.split('\n').length]).toEqual([2, 2]);
      expect(r.stderr.trim()).toMatch(message);
      expect(readdirSync(join(dir, 'db'), { recursive: true }).map(String).sort()).toEqual(before);
      for (const [path, text] of Object.entries(files)) expect(readFileSync(join(dir, path), 'utf8')).toBe(text);
    }
  });

  it('answers a wrong --emit with one line, exit 2', () => {
    const dir = project({ 'm/001.sql': 'CREATE TABLE t (a int);\n' });
    const r = runCli(['plan', 'm/001.sql', '--emit', 'flyway-ish'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'pgphase: --emit flyway-ish: expected one of golang-migrate, prisma, flyway, dbmate, goose, diesel, sqitch, drizzle, node-pg-migrate, supabase, atlas, pop, up-down, version-dirs, liquibase, sqlx, plain, plan\n',
    );
  });

  it('leaves the history as it was when a replaced file cannot be removed: what it removed put back, what it wrote removed, one InputError', async () => {
    const dir = project({
      'm/001_a.up.sql': 'CREATE TABLE a (x int);\n',
      'm/001_a.down.sql': 'DROP TABLE a;\n',
      'm/busy/keep.sql': 'SELECT 1;\n',
    });
    const root = join(dir, 'm');
    const files = new Map([
      ['002_a_expand.up.sql', 'SELECT 2;\n'],
      ['sub/003_a_contract.up.sql', 'SELECT 3;\n'],
    ]);
    // a directory where a file was: its removal fails after the first file is gone
    const failed = await writeEmitted(root, files, ['001_a.up.sql', 'busy', '001_a.down.sql']).catch(
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(InputError);
    expect((failed as Error).message).toMatch(/cannot write the plan's migrations, the history is left as it was/);
    expect(readFileSync(join(root, '001_a.up.sql'), 'utf8')).toBe('CREATE TABLE a (x int);\n');
    expect(readFileSync(join(root, '001_a.down.sql'), 'utf8')).toBe('DROP TABLE a;\n');
    expect(existsSync(join(root, '002_a_expand.up.sql'))).toBe(false);
    expect(existsSync(join(root, 'sub/003_a_contract.up.sql'))).toBe(false);
    expect(readFileSync(join(root, 'busy/keep.sql'), 'utf8')).toBe('SELECT 1;\n');
  });
});
