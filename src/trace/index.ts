// `trace()`: runs migrations statement by statement on a shadow database built from their
// history (a few generated rows in every table), records what PostgreSQL did (src/trace/
// observe.ts), compares it with lint, and with sizes estimates how long each lock blocks.
import { stat } from '../files.js';
import { resolve } from 'node:path';
import { rules as registry } from '../../rules/index.js';
import { discoverSet, Discovery, fileInSet, type MigrationFile, type MigrationSet } from '../discover/index.js';
import type { LayoutName } from '../discover/names.js';
import { SUPPORTED_PG } from '../config/schema.js';
import { InputError } from '../errors.js';
import { lint } from '../lint/lint.js';
import { readSchemaDump } from '../schema/dump.js';
import { applyDump, applyHistory, createRoles, prepareForTool } from '../shadow/apply.js';
import { generateRows } from '../shadow/rows.js';
import { Shadow, shadowServer } from '../shadow/server.js';
import type pg from 'pg';
import { connect } from '../runner/connect.js';
import { quoteIdent, quoteQualified, USER_SCHEMAS } from '../sql/names.js';
import { loadParser, parseSource } from '../sql/source.js';
import type { TransactionModel } from '../discover/layouts.js';
import { disagreements, type Disagreement } from './compare.js';
import { estimate, measureThroughput, type Estimate, type Throughput } from './duration.js';
import { maxLockMsFor } from './sizes.js';
import { Observer, type TracedStatement } from './observe.js';
import { readStats } from './stats.js';
import { attachFindings, lockRecorder, RULE_WORK, tableKey, type StaticStatement } from './static.js';

export interface TraceOptions {
  /** A migration file (traced on its history) or a migration directory (every migration traced in order). */
  target: string;
  cwd?: string;
  layout?: LayoutName;
  /** A `pg_dump --schema-only` file as the schema before the history. */
  schemaFile?: string;
  /** The PostgreSQL server for the shadow database (default: an embedded PostgreSQL). */
  shadowUrl?: string;
  /** Sizes of the user's tables: a database URL or a file `pgphase stats` wrote. */
  statsFrom?: string;
  /** Over the config's `maxLockMs`. */
  maxLockMs?: number;
  /** An explicit config file instead of searching upward from the target. */
  configFile?: string;
}

export interface TracedStatementWithLint extends TracedStatement {
  /** The lint findings on the statement: rule and severity. */
  findings: Array<{ rule: string; severity: string }>;
  /** With sizes: how long the statement's lock-holding work blocks on the user's tables. */
  estimate?: Estimate & { rule: string; overLimit: boolean };
}

export interface TracedFile {
  path: string;
  transaction: TransactionModel;
  /** PostgreSQL refused the file on the generated rows (a NOT NULL column added without a default …): it was traced again on empty tables, as the tool would have run it on a new database. */
  emptied?: string;
  statements: TracedStatementWithLint[];
  disagreements: Disagreement[];
}

export interface TraceResult {
  version: 1;
  /** The shadow server's PostgreSQL major version. */
  server: number;
  files: TracedFile[];
  /** Rows generated per table before the migrations, and tables that got none. */
  rows: { inserted: number; skipped: string[] };
  /** With sizes: the throughput the estimates use, and the limit. */
  sizes?: { throughput: Throughput; maxLockMs: number };
}

async function targets(
  options: TraceOptions,
  cwd: string,
  discovery: Discovery,
): Promise<{ set: MigrationSet; files: MigrationFile[] }> {
  const abs = resolve(cwd, options.target);
  const kind = await stat(abs).catch(() => {
    throw new InputError(`${options.target}: no such file or directory`);
  });
  if (kind.isDirectory()) {
    const set = await discoverSet(abs, options.layout, discovery);
    return { set, files: set.files };
  }
  const found = await fileInSet(abs, options.layout, discovery);
  if (!found) throw new InputError(`${options.target}: a down migration; trace the forward one`);
  return { set: found.set, files: found.set.files.filter((f) => f.absPath === abs) };
}

/** What lint says of each statement of the traced files, by path and line, for the shadow server's PostgreSQL version. */
async function lintView(
  options: TraceOptions,
  cwd: string,
  paths: string[],
  pgVersion: number,
): Promise<Map<string, Map<number, StaticStatement>>> {
  const recorder = lockRecorder();
  const { result } = await lint({
    paths,
    cwd,
    rules: [...registry, recorder.rule],
    ...(options.layout && { layout: options.layout }),
    pgVersion: Math.min(Math.max(pgVersion, SUPPORTED_PG.min), SUPPORTED_PG.max),
    // the rules a trace checks, whatever the config says of them
    ruleOverrides: Object.fromEntries(Object.keys(RULE_WORK).map((id) => [id, 'error'])),
    ...(options.schemaFile !== undefined && { baseSchema: await readSchemaDump(resolve(cwd, options.schemaFile)) }),
  });
  attachFindings(result.files, recorder.statements);
  return recorder.statements;
}

export async function trace(options: TraceOptions): Promise<TraceResult> {
  const cwd = options.cwd ?? process.cwd();
  const discovery = new Discovery(cwd);
  const { set, files } = await targets(options, cwd, discovery);
  if (files.length === 0) throw new InputError(`${options.target}: no migrations to trace`);
  const stats = options.statsFrom === undefined ? undefined : await readStats(options.statsFrom, cwd);
  const maxLockMs = options.maxLockMs ?? (await maxLockMsFor(registry, cwd, options.target, options.configFile));
  await loadParser();
  const shadow = await Shadow.open(await shadowServer(options.shadowUrl));
  const clients: Array<{ end(): Promise<void> }> = [];
  try {
    const database = await shadow.create('trace');
    // a scratch database: commits need not wait for the disk (locks and rewrites are the same)
    const setup = await connect(database.url);
    await setup
      .query(`ALTER DATABASE ${quoteIdent(database.name)} SET synchronous_commit = off`)
      .finally(() => setup.end());
    if (options.schemaFile !== undefined) await applyDump(database.url, resolve(cwd, options.schemaFile));
    if (files[0] !== set.files[0]) await applyHistory(database.url, set.root, files[0]!.absPath, cwd);
    else await prepareForTool(database.url, set.layout);
    const run = await connect(database.url);
    clients.push(run);
    const watch = await connect(database.url);
    clients.push(watch);
    const throughput = stats && (await measureThroughput(run));
    const observer = await Observer.open(run, watch);
    const view = await lintView(options, cwd, [...new Set(files.map((f) => f.path))], shadow.version);
    const rows = { inserted: 0, skipped: [] as string[] };
    const traced: TracedFile[] = [];
    // the tables that got rows (and those made since, which have none)
    let seeded = new Set<string>();
    let migration: string | undefined;
    for (const file of files) {
      // rows for the tables of earlier migrations this one touches, the first time it touches one without
      const touched = [...(view.get(file.path)?.values() ?? [])].flatMap((s) => [...s.locks.keys()]);
      if (touched.some((t) => !seeded.has(t))) {
        const { rows: now } = await run.query<{ schema: string; name: string }>(USER_TABLES);
        const fresh = now.map((t) => tableKey(t.schema, t.name)).filter((t) => !seeded.has(t));
        if (touched.some((t) => fresh.includes(t))) {
          const generated = await generateRows(run, { nulls: false });
          rows.inserted += Object.values(generated.inserted).reduce((a, b) => a + b, 0);
          rows.skipped.push(...generated.skipped.filter((s) => !rows.skipped.includes(s)));
          seeded = new Set([...seeded, ...fresh]);
        }
      }
      if (file.migration !== migration) await observer.startMigration();
      migration = file.migration;
      await run.query('RESET ALL; SET SESSION AUTHORIZATION DEFAULT');
      const source = parseSource(file.path, file.text);
      if (source.syntaxError)
        throw new InputError(
          `${file.path}:${source.syntaxError.location.line}:${source.syntaxError.location.column}: ${source.syntaxError.message}`,
        );
      await createRoles(run, source.statements);
      let statements = await observer.traceFile(file, source.statements);
      // classes 22 and 23: the generated rows are no data the migration expects (a value it
      // casts, a constraint it adds); a file run in one transaction, or refused at its first
      // statement, left nothing behind
      const refused = statements.find((s) => s.error !== undefined);
      let emptied: string | undefined;
      if (
        refused &&
        /^2[23]/.test(refused.sqlstate ?? '') &&
        (file.transaction !== 'none' || refused === statements[0]) &&
        rows.inserted > 0
      ) {
        emptied = `line ${refused.line}: ${refused.error}`;
        await emptyTables(run);
        statements = await observer.traceFile(file, source.statements);
      }
      const lintOf = view.get(file.path) ?? new Map<number, StaticStatement>();
      traced.push({
        path: file.path,
        transaction: file.transaction,
        ...(emptied !== undefined && { emptied }),
        statements: statements.map((s) =>
          withLint(s, lintOf.get(s.line), stats && throughput && { stats, throughput, maxLockMs }),
        ),
        disagreements: disagreements(statements, lintOf),
      });
      if (statements.some((s) => s.error)) break;
    }
    return {
      version: 1,
      server: shadow.version,
      files: traced,
      rows,
      ...(throughput && { sizes: { throughput, maxLockMs } }),
    };
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    await shadow.close();
  }
}

/** The tables of the application's schemas, those generateRows fills. */
const USER_TABLES = `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p')`;

/** Removes every row of the tables of the application's schemas. */
async function emptyTables(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ schema: string; name: string }>(USER_TABLES);
  if (rows.length) await client.query(`TRUNCATE ${rows.map(quoteQualified).join(', ')}`);
}

function withLint(
  s: TracedStatement,
  lint: StaticStatement | undefined,
  sizes:
    | { stats: NonNullable<Awaited<ReturnType<typeof readStats>>>; throughput: Throughput; maxLockMs: number }
    | undefined,
): TracedStatementWithLint {
  const findings = (lint?.findings ?? []).map((f) => ({ rule: f.rule, severity: f.severity }));
  if (!lint || !sizes) return { ...s, findings };
  // the longest work any finding on the statement names
  let longest: TracedStatementWithLint['estimate'];
  for (const f of lint.findings) {
    const e = estimate(f.rule, lint, sizes.stats, sizes.throughput);
    if (e && (!longest || e.ms > longest.ms)) longest = { ...e, rule: f.rule, overLimit: e.ms > sizes.maxLockMs };
  }
  return { ...s, findings, ...(longest && { estimate: longest }) };
}
