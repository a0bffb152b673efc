// Where and how each migration tool keeps a migration: the file names of a plan's phases
// (versions right after the replaced migration's, in the tool's order), the files that make
// up the replaced migration, the index files the tool orders or checks its migrations by
// (sqitch.plan, drizzle's journal, atlas.sum), and how a phase's SQL is wrapped for the tool.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { parseSource } from '../../sql/source.js';
import type { EmitLayout } from './names.js';
import type { PhaseMigration } from './names.js';

export { EMIT_LAYOUTS, type EmitLayout } from './names.js';

/**
 * How a tool runs its migrations: each file in a transaction of its own (or as one query string,
 * which PostgreSQL runs as one implicit transaction); every pending migration in one transaction;
 * or statement by statement (psql -f), so that a phase file runs as written.
 */
export type ToolModel = 'transaction' | 'pending' | 'statements';

/** The replaced migration: its path relative to the history's root, its version and its name. */
export interface Original {
  rel: string;
  version: string;
  name: string;
  /** A Liquibase changeset's attributes other than how it runs (context, labels, dbms…). */
  attributes?: string;
}

/** One emitted migration: the name its files share, its phase, and its files. */
export interface EmittedMigration {
  stem: string;
  phase: string;
  files: Array<[string, string]>;
}

export interface Tool {
  /** Shown in the plan's README. */
  title: string;
  model: ToolModel;
  /** It can run a migration outside a transaction, for a CONCURRENTLY step. */
  outside: boolean;
  /** The replaced migration, from its path relative to the history's root (and its text). */
  parse(rel: string, text: string): Original | undefined;
  /** The version of the k-th phase migration (0-based) after the replaced migration's. */
  version(original: string, k: number): string;
  /** The name one phase migration's files share; `label` is the phase's name, numbered when the phase takes several migrations. */
  stem(original: Original, version: string, label: string): string;
  /** The files of one phase migration, relative to the root; for a tool whose migrations share a file (`inFile`), its name and text there. */
  files(stem: string, migration: PhaseMigration, original: Original): Array<[string, string]>;
  /** The phase migrations take the replaced migration's place in its file (Liquibase changesets), instead of files of their own. */
  inFile?: true;
  /** The files of the replaced migration, relative to the root (those that exist are removed). */
  originals(rel: string): string[];
  /** The tool takes its order from an index file, which `index` rewrites, not from the names. */
  ordered: 'by-name' | 'by-index';
  /** The index files the tool reads, rewritten for the emitted migrations in place of the replaced one. */
  index?(root: string, original: Original, migrations: EmittedMigration[], removed: string[]): Array<[string, string]>;
  /** How the tool is run, for the README. */
  command: string;
}

/** Adds `k` to the last run of digits, keeping its width: 000007 → 000008, 2024-02-10-080000 → 2024-02-10-080001. */
export function bump(version: string, k: number): string {
  return version.replace(/\d+(?=\D*$)/, (digits) =>
    (BigInt(digits) + BigInt(k)).toString().padStart(digits.length, '0'),
  );
}

const dirOf = (rel: string) => rel.slice(0, rel.indexOf('/'));
const prefixed =
  (re: RegExp) =>
  (rel: string): Original | undefined => {
    const m = re.exec(rel);
    return m ? { rel, version: m[1]!, name: m[2]! } : undefined;
  };
function read(root: string, rel: string): string {
  try {
    return readFileSync(join(root, rel), 'utf8');
  } catch (error) {
    throw new InputError(
      `${join(root, rel)}: cannot read the tool's index of migrations (${(error as NodeJS.ErrnoException).code ?? 'error'}); the plan's migrations must be listed in it`,
    );
  }
}

/** What most tools share: a migration in one transaction, versions bumped, `<version>_<name>_<label>`, one file replaced. */
const tool = (own: Pick<Tool, 'title' | 'parse' | 'files' | 'command'> & Partial<Tool>): Tool => ({
  model: 'transaction',
  outside: true,
  version: bump,
  stem: (original, v, label) => `${v}_${original.name}_${label}`,
  originals: (rel) => [rel],
  ordered: 'by-name',
  ...own,
});

/** The up and down files of tools that keep them side by side (`x.up.sql`, `x.down.sql`). */
const upDown = (stem: string, m: PhaseMigration): Array<[string, string]> => [
  [`${stem}.up.sql`, m.up],
  [`${stem}.down.sql`, m.down],
];
const withDown = (rel: string) => (rel.endsWith('.up.sql') ? [rel, rel.replace(/\.up\.sql$/, '.down.sql')] : [rel]);

/** The statements of a migration, each with the comments before it: drizzle runs each chunk between breakpoints as a query of its own. */
function chunks(sql: string): string[] {
  const bytes = Buffer.from(sql);
  const ends = parseSource('', sql).statements.map((s) => {
    const semicolon = bytes.indexOf(';', s.end);
    return semicolon < 0 ? bytes.length : semicolon + 1;
  });
  return ends.map((end, i) =>
    bytes
      .subarray(i === 0 ? 0 : ends[i - 1], end)
      .toString()
      .replace(/^\n+/, ''),
  );
}

/** sqitch.plan with the replaced change's line replaced by one line per emitted change (same planner and time, its phase as note). */
function sqitchPlan(
  root: string,
  original: Original,
  migrations: EmittedMigration[],
  removed: string[],
): Array<[string, string]> {
  const plan = read(root, 'sqitch.plan');
  const lines = plan.split('\n');
  const name = (line: string) => (/^[%@#]/.test(line.trim()) ? undefined : line.trim().split(/\s+/)[0]);
  const at = lines.map(name).lastIndexOf(original.name);
  if (at < 0)
    throw new InputError(
      `${join(root, 'sqitch.plan')}: does not list the change ${original.name}; add it with \`sqitch add\`, then plan it`,
    );
  // a dependency is `name`, `!name`, `project:name`, each maybe with `@tag`, in the brackets after the change's name
  const dependency = new RegExp(
    `^\\S+\\s+\\[(?:[^\\]]*[\\s!:])?${original.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:@[^\\s\\]]*)?[\\s\\]]`,
  );
  const requiring = lines.slice(at + 1).find((line) => dependency.test(line.trim()));
  if (requiring)
    throw new InputError(
      `${join(root, 'sqitch.plan')}: change ${name(requiring)} requires ${original.name}, which the plan's changes replace; make it require ${migrations.at(-1)!.stem} instead, then plan again`,
    );
  // name [dependencies] timestamp planner <email> # note
  const m = /^(\S+)(\s+\[[^\]]*\])?\s+(\S+\s+.*?<[^>]*>)/.exec(lines[at]!.trim());
  if (!m)
    throw new InputError(
      `${join(root, 'sqitch.plan')}:${at + 1}: cannot read the change ${original.name} (expected: name [dependencies] timestamp planner <email>)`,
    );
  const entries = migrations.map(
    (migration, i) =>
      `${migration.stem}${i === 0 ? (m[2] ?? '') : ` [${migrations[i - 1]!.stem}]`} ${m[3]} # pgphase plan: ${migration.phase} of ${original.name}`,
  );
  // a change kept (--keep-original) stays listed, before the plan's
  const keep = removed.length === 0;
  lines.splice(at + (keep ? 1 : 0), keep ? 0 : 1, ...entries);
  return [['sqitch.plan', lines.join('\n')]];
}

interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

/** drizzle's journal with the replaced migration's entry replaced by one per emitted migration, a millisecond apart. */
function drizzleJournal(
  root: string,
  original: Original,
  migrations: EmittedMigration[],
  removed: string[],
): Array<[string, string]> {
  const path = 'meta/_journal.json';
  let journal: { entries: JournalEntry[] };
  try {
    journal = JSON.parse(read(root, path)) as typeof journal;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${join(root, path)}: not valid JSON (${(error as Error).message}); fix the journal, then plan again`,
    );
  }
  if (!Array.isArray(journal.entries))
    throw new InputError(`${join(root, path)}: has no entries list; fix the journal, then plan again`);
  const tag = original.rel.slice(0, -'.sql'.length);
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0)
    throw new InputError(
      `${join(root, path)}: has no entry for ${tag}; generate the migration with drizzle-kit, then plan it`,
    );
  const entry = journal.entries[at]!;
  const next = journal.entries[at + 1];
  // a migration kept (--keep-original) stays listed, before the plan's
  const keep = removed.length === 0 ? 1 : 0;
  // the migrator applies an entry whose `when` is later than the last applied one's
  if (next && next.when <= entry.when + keep + migrations.length - 1)
    throw new InputError(
      `${join(root, path)}: no room for the plan's ${migrations.length} migrations between ${tag} and ${next.tag} (their \`when\` is ${next.when - entry.when} ms apart); use --emit plan`,
    );
  const entries = migrations.map((migration, k) => ({
    ...entry,
    when: entry.when + keep + k,
    tag: migration.stem,
    breakpoints: true,
  }));
  journal.entries.splice(at + keep, 1 - keep, ...entries);
  for (const [idx, e] of journal.entries.entries()) e.idx = idx;
  return [[path, `${JSON.stringify(journal, null, 2)}\n`]];
}

/**
 * atlas.sum for the directory as it will be: per file in name order, the running SHA-256 of each
 * file's name and content so far; first, the SHA-256 of those names and sums (`h1:` base64), as Atlas writes it.
 */
function atlasSum(
  root: string,
  _original: Original,
  migrations: EmittedMigration[],
  removed: string[],
): Array<[string, string]> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(root))
    if (name.endsWith('.sql') && !removed.includes(name)) files.set(name, readFileSync(join(root, name)));
  for (const [path, text] of migrations.flatMap((m) => m.files)) files.set(path, Buffer.from(text));
  const running = createHash('sha256');
  const total = createHash('sha256');
  const lines = [...files.keys()].sort().map((name) => {
    running.update(name).update(files.get(name)!);
    const sum = running.copy().digest('base64');
    total.update(name).update(sum);
    return `${name} h1:${sum}\n`;
  });
  return [['atlas.sum', `h1:${total.digest('base64')}\n${lines.join('')}`]];
}

export const TOOLS: Record<EmitLayout, Tool> = {
  'golang-migrate': tool({
    title: 'golang-migrate',
    // one file is one query string: PostgreSQL runs it as one implicit transaction
    parse: prefixed(/^(\d+)_(.*)\.up\.sql$/),
    files: upDown,
    originals: withDown,
    command: 'migrate -path <dir> -database <url> up',
  }),
  prisma: tool({
    title: 'Prisma',
    parse: (rel) => prefixed(/^(\d+)_(.*)$/)(dirOf(rel)),
    files: (stem, m) => [[`${stem}/migration.sql`, m.up]],
    command: 'prisma migrate deploy',
  }),
  flyway: tool({
    title: 'Flyway',
    parse: prefixed(/^V(\d+(?:[._]\d+)*)__(.+)\.sql$/),
    // sub-versions of the replaced one: V7 → V7.1, V7.2 … sort after V7 and before V8
    version: (original, k) => `${original}.${k + 1}`,
    stem: (original, v, label) => `V${v}__${original.name}_${label}`,
    files: (stem, m) => [[`${stem}.sql`, m.up]],
    command: 'flyway migrate',
  }),
  dbmate: tool({
    title: 'dbmate',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    files: (stem, m) => {
      const options = m.noTransaction ? ' transaction:false' : '';
      return [[`${stem}.sql`, `-- migrate:up${options}\n${m.up}\n-- migrate:down${options}\n${m.down}`]];
    },
    command: 'dbmate up',
  }),
  goose: tool({
    title: 'goose',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    // one statement block: goose sends it as one query, in the transaction it runs the file in
    files: (stem, m) => [
      [
        `${stem}.sql`,
        `${m.noTransaction ? '-- +goose NO TRANSACTION\n' : ''}-- +goose Up\n-- +goose StatementBegin\n${m.up}-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\n${m.down}-- +goose StatementEnd\n`,
      ],
    ],
    command: 'goose -dir <dir> postgres <url> up',
  }),
  diesel: tool({
    title: 'Diesel',
    parse: (rel) => prefixed(/^([\d-]+)_(.*)$/)(dirOf(rel)),
    files: (stem, m) => [
      [`${stem}/up.sql`, m.up],
      [`${stem}/down.sql`, m.down],
      ...(m.noTransaction ? [[`${stem}/metadata.toml`, 'run_in_transaction = false\n'] as [string, string]] : []),
    ],
    originals: (rel) => [rel, `${dirOf(rel)}/down.sql`, `${dirOf(rel)}/metadata.toml`],
    command: 'diesel migration run',
  }),
  sqitch: tool({
    title: 'sqitch',
    // sqitch runs each deploy script with psql: statement by statement, so the phase file runs as written
    model: 'statements',
    parse: (rel) => prefixed(/^deploy\/()([^/]+)\.sql$/)(rel),
    version: () => '',
    stem: (original, _v, label) => `${original.name}_${label}`,
    files: (stem, m) => [
      [`deploy/${stem}.sql`, m.up],
      [`revert/${stem}.sql`, m.down],
      [`verify/${stem}.sql`, m.verify],
    ],
    originals: (rel) => [rel, rel.replace(/^deploy\//, 'revert/'), rel.replace(/^deploy\//, 'verify/')],
    ordered: 'by-index',
    index: sqitchPlan,
    command: 'sqitch deploy --to <change>',
  }),
  drizzle: tool({
    title: 'drizzle-kit',
    // the migrator runs every pending migration in one transaction, each chunk between breakpoints a query of its own
    model: 'pending',
    outside: false,
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    version: () => '',
    stem: (original, _v, label) => `${original.rel.slice(0, -'.sql'.length)}_${label}`,
    files: (stem, m) => [[`${stem}.sql`, chunks(m.up).join('\n--> statement-breakpoint\n')]],
    ordered: 'by-index',
    index: drizzleJournal,
    command: 'drizzle-kit migrate',
  }),
  'node-pg-migrate': tool({
    title: 'node-pg-migrate',
    // by default every pending migration in one transaction, and a SQL migration cannot opt out
    model: 'pending',
    outside: false,
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    files: (stem, m) => [[`${stem}.sql`, `-- Up Migration\n${m.up}\n-- Down Migration\n${m.down}`]],
    command: 'node-pg-migrate up',
  }),
  supabase: tool({
    title: 'the Supabase CLI',
    // the CLI sends a file's statements and its history record as one batch: one implicit transaction, never outside one
    outside: false,
    parse: (rel) => {
      const m = /^((?:migrations\/)?)(\d+)_(.*)\.sql$/.exec(rel);
      return m ? { rel, version: m[2]!, name: m[3]! } : undefined;
    },
    stem: (original, v, label) =>
      `${original.rel.startsWith('migrations/') ? 'migrations/' : ''}${v}_${original.name}_${label}`,
    files: (stem, m) => [[`${stem}.sql`, m.up]],
    command: 'supabase db push (or supabase migration up)',
  }),
  sqlx: tool({
    title: 'sqlx',
    parse: prefixed(/^(\d+)_(.*?)(?:\.up)?\.sql$/),
    // a migration's text that begins with `-- no-transaction` runs outside a transaction; a reversible
    // migration (`.up.sql`) stays one, its down file undoing the phase
    files: (stem, m, original) => {
      const head = m.noTransaction ? '-- no-transaction\n' : '';
      return original.rel.endsWith('.up.sql')
        ? upDown(stem, { ...m, up: `${head}${m.up}`, down: `${head}${m.down}` })
        : [[`${stem}.sql`, `${head}${m.up}`]];
    },
    originals: withDown,
    command: 'sqlx migrate run (or sqlx::migrate! at start-up)',
  }),
  atlas: tool({
    title: 'Atlas',
    parse: prefixed(/^(\d+)(?:_(.*))?\.sql$/),
    stem: (original, v, label) => `${v}_${original.name ? `${original.name}_` : ''}${label}`,
    // a file-level directive, in the file's head: the migration runs outside a transaction
    files: (stem, m) => [[`${stem}.sql`, `${m.noTransaction ? '-- atlas:txmode none\n\n' : ''}${m.up}`]],
    index: atlasSum,
    command: 'atlas migrate apply --dir file://<dir> --url <url>',
  }),
  pop: tool({
    title: 'pop (ory)',
    parse: (rel) => {
      const m = /^(\d+)_([^/.]+)((?:\.(?!autocommit\.)[a-z0-9]+)?)(?:\.autocommit)?\.up\.sql$/.exec(rel);
      return m ? { rel, version: m[1]!, name: m[2]! } : undefined;
    },
    // a 20-digit version is a 14-digit migration and a part: each phase is a migration of its own
    version: (original, k) =>
      original.length === 20 ? `${bump(original.slice(0, 14), k)}${original.slice(14)}` : bump(original, k),
    // the replaced file's dialect (`.postgres`); an `.autocommit` file runs outside a transaction
    files: (stem, m, original) => {
      const dialect = /^[^.]+((?:\.(?!autocommit\.)[a-z0-9]+)?)/.exec(
        original.rel.slice(original.rel.indexOf('_')),
      )![1]!;
      return upDown(`${stem}${dialect}${m.noTransaction ? '.autocommit' : ''}`, m);
    },
    originals: withDown,
    command: 'kratos migrate sql (pop: soda migrate up)',
  }),
  'up-down': tool({
    title: 'the up/down migration tool',
    parse: (rel) => {
      const m = /^(V?\d+)([._-].*)\.up\.sql$/i.exec(rel);
      return m ? { rel, version: m[1]!, name: m[2]! } : undefined;
    },
    stem: (original, v, label) => `${v}${original.name}_${label}`,
    files: upDown,
    originals: withDown,
    command: 'your migration tool, each file as one query',
  }),
  liquibase: tool({
    title: 'Liquibase',
    // each changeset in a transaction of its own unless runInTransaction:false; splitStatements:false
    // sends its SQL as one string, which the JDBC driver splits, so a DO block is never cut at a `;`
    parse: (rel, text) => {
      const changesets = [...text.matchAll(/^--\s*changeset\s+(\S+)(.*)$/gim)];
      if (changesets.length !== 1)
        throw new InputError(
          `${rel}: holds ${changesets.length} changesets; put the changeset to plan in a changelog file of its own, then plan it`,
        );
      const attributes = changesets[0]![2]!.replace(/\s*\b(?:runInTransaction|splitStatements):\S*/gi, '');
      return { rel, version: '', name: changesets[0]![1]!, attributes };
    },
    version: () => '',
    stem: (original, _v, label) => `${original.name}-${label}`,
    files: (stem, m, original) => {
      const rollback = m.down
        .trimEnd()
        .split('\n')
        .map((line) => `--rollback ${line}`)
        .join('\n');
      const options = ` splitStatements:false${m.noTransaction ? ' runInTransaction:false' : ''}`;
      return [
        [
          `${original.rel} (changeset ${stem})`,
          `--changeset ${stem}${original.attributes ?? ''}${options}\n${m.up}${rollback}\n`,
        ],
      ];
    },
    inFile: true,
    originals: () => [],
    // the master changelog orders the files; the changesets take the replaced one's place in its file
    ordered: 'by-index',
    command: 'liquibase update',
  }),
  'version-dirs': tool({
    title: 'the version-folder migration tool',
    parse: (rel) => {
      const m = /^(\d+)\/(.*?)(?:\.up)?\.sql$/.exec(rel);
      return m ? { rel, version: m[1]!, name: m[2]! } : undefined;
    },
    stem: (original, v, label) => `${v}/${original.name}_${label}`,
    files: (stem, m, original) => (original.rel.endsWith('.up.sql') ? upDown(stem, m) : [[`${stem}.sql`, m.up]]),
    originals: withDown,
    command: 'your migration tool, each file as one query',
  }),
  plain: tool({
    title: 'plain SQL files run with psql',
    // psql -f: statement by statement, so the phase file runs as written
    model: 'statements',
    parse: prefixed(/^(\d+)_(.*)\.sql$/),
    files: (stem, m) => [[`${stem}.sql`, m.up]],
    command: 'psql -v ON_ERROR_STOP=1 -f <file>, each file in order',
  }),
};
