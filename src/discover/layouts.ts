// The migration layouts pgphase understands, one table entry each: which files are
// forward (and down) migrations, the order the tool applies them in, and whether the
// tool wraps a file in a transaction.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LayoutName } from './names.js';

export { LAYOUTS, type LayoutName } from './names.js';

/** How the migration tool runs a file: in a transaction of its own, as one query string (one implicit transaction when it holds several statements), or statement by statement. */
export type TransactionModel = 'per-file' | 'implicit' | 'none';

/** A directory as discovery sees it: its own files and those one level down. */
export interface Dir {
  root: string;
  /** Names of the entries (files and directories) directly in `root`. */
  entries: ReadonlySet<string>;
  /** Files in `root` and in its direct subdirectories, as '/'-separated paths relative to `root`. */
  files: readonly string[];
  /** The text of a file (relative path), read once. */
  read(rel: string): Promise<string>;
}

/** Compared element by element; the keys of one layout hold the same type at each position. */
export type SortKey = readonly (bigint | string)[];

/** One migration of a file that holds several (a Liquibase changeset): its id, its text with
 *  the rest of the file blanked (offsets kept), and how the tool runs it. */
export interface Unit {
  id: string;
  text: string;
  transaction: TransactionModel;
}

export interface Layout {
  name: LayoutName;
  /** What its migrations look like, for the message when a directory holds none. */
  expect: string;
  /** Entries in a root that identify the layout even before it holds a migration. */
  signs?: readonly string[];
  /** Identifies the layout (instead of its forward files' names) by a file only it keeps, by what its root is, or by what its files say. */
  recognize?(dir: Dir): boolean | Promise<boolean>;
  /** Only files whose text passes are this layout's (a Liquibase changelog starts with its header). */
  claims?(text: string): boolean;
  /** Relative paths of forward migrations (down files, which match DOWN, aside). */
  forward: RegExp;
  /** Relative paths of this tool's down (undo) migrations, beyond the names every layout treats as down (DOWN). */
  down?: RegExp;
  /** Relative paths of files the tool applies to other databases only. */
  otherDatabase?: RegExp;
  /** Given a directory's files: which forward files the tool does not apply, because another file takes their place. */
  replaced?(files: readonly string[]): (rel: string) => boolean;
  /** Which forward files the tool never reads, because the changelog that names its migrations does not include them; undefined when that cannot be told. */
  unincluded?(dir: Dir): Promise<((rel: string) => boolean) | undefined>;
  /** Marker lines of tools that keep both directions in one file; everything outside the up section is blanked. */
  sections?: { up: RegExp; down: RegExp };
  /** The sort key of each forward file: the tool applies them in ascending order. */
  order(dir: Dir): ((rel: string) => SortKey) | Promise<(rel: string) => SortKey>;
  /** The migration a forward file belongs to: files that share one are applied as one migration (default: each file is its own). */
  migration?(rel: string): string;
  transaction(text: string, rel: string, dir: Dir): TransactionModel | Promise<TransactionModel>;
  /** For files that hold several migrations: each of them, in order; none for a file the tool does not read. */
  units?(text: string, rel: string): Unit[];
  /** The tool runs every pending migration in one transaction, not one transaction per migration.
   *  Shown by `lint --list` only: the rules still see each file in its own transaction. */
  pendingInOneTransaction?: boolean;
  /** The tool renders a file as a Go text/template before it runs it (`goTemplateText`). */
  templates?: true;
}

/** Names that are down (undo, rollback) migrations in every layout, the plain one included:
 *  `down.sql`, `*.down.sql`, `*.rollback.sql`. A name ending `_down.sql` is a down file only where the
 *  tool is unknown (plain): Flyway's `V2__scale_down.sql` or sqitch's `deploy/slow_down.sql` are
 *  forward changes. */
export const DOWN = /(?:^|\/)down\.sql$|\.down\.sql$|\.rollback\.sql$/i;

/** pop's dialect suffix for databases other than PostgreSQL (`x.mysql.up.sql`); `postgres` and no suffix run on PostgreSQL. */
const OTHER_DIALECT =
  /\.(?:mysql|mariadb|sqlite3?|mssql|sqlserver|cockroach(?:db)?|crdb)(?:\.autocommit)?\.(?:up|down)\.sql$/i;

/** Digit runs compare as numbers, so `2_x` sorts before `10_x`. */
const natural = (rel: string): SortKey => rel.split(/(\d+)/).map((part, i) => (i % 2 ? BigInt(part) : part));
const lexical = (rel: string): SortKey => [rel];

const FLYWAY_FORWARD = /^(?:V(\d+(?:[._]\d+)*)|R)__([^/]+)\.sql$/;

/** Versioned migrations by version (V1.2 < V1.10), then repeatables by description, as Flyway applies them. */
function flywayKey(rel: string): SortKey {
  const [, version, description = rel] = FLYWAY_FORWARD.exec(rel) ?? [];
  return version === undefined ? [1n, description] : [0n, ...version.split(/[._]/).map(BigInt)];
}

/** Statements PostgreSQL refuses inside a transaction block; Flyway recognises them too. */
const NON_TRANSACTIONAL =
  /^(?:(?:create\s+(?:unique\s+)?|drop\s+)index\s+concurrently|reindex\b.*\bconcurrently|vacuum|alter\s+type\s+.+?\s+add\s+value|refresh\s+materialized\s+view\s+concurrently)\b/is;

/** Flyway runs a file outside a transaction when every statement in it needs that. A cheap
 *  scan, not a parse: a `;` inside a string or a function body only splits off a fragment
 *  that does not match, which keeps the safe answer (transactional). */
function flywayTransaction(text: string): TransactionModel {
  const statements = text
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return statements.length > 0 && statements.every((s) => NON_TRANSACTIONAL.test(s)) ? 'none' : 'per-file';
}

/** Diesel's version of a migration: its directory name up to the first `_`, without `-`
 *  (`2017-09-23-182408_x` → `20170923182408`). Diesel sorts versions as strings, so a history
 *  that mixes both spellings, as crates.io's does, interleaves by date; the name breaks ties. */
function dieselKey(rel: string): SortKey {
  const name = rel.slice(0, rel.indexOf('/'));
  return [name.split('_')[0]!.replace(/-/g, ''), rel];
}

const GOOSE_SECTIONS = { up: /^--\s*\+goose\s+up\b/im, down: /^--\s*\+goose\s+down\b/im };
const GOOSE_BLOCK = /^--\s*\+goose\s+statement(begin|end)\b[^\n]*$/gim;

/**
 * goose runs a file in a transaction unless it is annotated NO TRANSACTION. Then it sends each
 * statement as a query of its own, and each `StatementBegin` … `StatementEnd` block as one query
 * string, which PostgreSQL runs as one implicit transaction when it holds several statements.
 * A file whose up section is a single block is thus modelled exactly as 'implicit'. Any other
 * NO TRANSACTION file is 'none': per-file models cannot say that only some statements share a
 * transaction, and 'none' is right for every statement outside a block.
 */
function gooseTransaction(text: string): TransactionModel {
  if (!/^--\s*\+goose\s+no\s+transaction\b/im.test(text)) return 'per-file';
  const parts = forwardText(text, GOOSE_SECTIONS).split(GOOSE_BLOCK);
  // split keeps the captured marker kind: [before, 'begin', block, 'end', after] for a single block
  const blank = (sql: string) => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '';
  const single = parts.length === 5 && parts[1]!.toLowerCase() === 'begin' && parts[3]!.toLowerCase() === 'end';
  return single && blank(parts[0]!) && blank(parts[4]!) ? 'implicit' : 'none';
}

/** Changes in `sqitch.plan` order; a deploy script not yet in the plan is still linted, after the planned ones. */
async function sqitchOrder(dir: Dir): Promise<(rel: string) => SortKey> {
  const plan = dir.entries.has('sqitch.plan') ? await dir.read('sqitch.plan') : '';
  // A line's first word is a change name, except pragmas (%), tags (@), comments (#).
  const changes = plan
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((word) => /^[^%@#]/.test(word));
  return (rel) => {
    // A reworked change is listed again later; its current deploy script runs at that last place.
    const at = changes.lastIndexOf(rel.slice('deploy/'.length, -'.sql'.length));
    return at < 0 ? [BigInt(changes.length), rel] : [BigInt(at)];
  };
}

/** `V0001.Name.up.sql`, `0001-name.up.sql`: a version, a separator, a name, `.up.sql`. */
const UP_DOWN_FORWARD = /^V?(\d+)[._-][^/]*\.up\.sql$/i;

/** Files of one version are one migration; versions compare as numbers, files of a version by name. */
const byVersion =
  (pattern: RegExp) =>
  (rel: string): SortKey => [BigInt(pattern.exec(rel)?.[1] ?? 0), rel];

/** temporal-sql-tool's (and cadence-sql-tool's) version folders: `v1.10/`, whose manifest.json lists its files. */
const SQL_TOOL_FORWARD = /^v\d+(?:\.\d+){0,2}\/[^/]+\.sql$/;
const SQL_TOOL_MANIFEST = /^v\d+(?:\.\d+){0,2}\/manifest\.json$/;

/** The version folder of a file of it (`v1.10/x.sql` → `v1.10`). */
const versionOf = (rel: string) => rel.slice(0, rel.indexOf('/'));

/** The files each version folder's manifest.json lists (`SchemaUpdateCqlFiles`), in the order the tool runs
 *  them; a folder whose manifest is missing or unreadable lists none the tool would run, so all its files are linted. */
async function sqlToolManifests(dir: Dir): Promise<Map<string, string[]>> {
  const listed = new Map<string, string[]>();
  for (const rel of dir.files.filter((f) => SQL_TOOL_MANIFEST.test(f))) {
    try {
      const files = (JSON.parse(await dir.read(rel)) as { SchemaUpdateCqlFiles?: unknown }).SchemaUpdateCqlFiles;
      if (Array.isArray(files) && files.every((f) => typeof f === 'string')) listed.set(versionOf(rel), files);
    } catch {
      // the tool stops on it; its folder's files are linted all the same
    }
  }
  return listed;
}

/** Versions as the tool compares them (semver: 1.9 < 1.10, 1 = 1.0), then the files of a version in its manifest's order. */
async function sqlToolOrder(dir: Dir): Promise<(rel: string) => SortKey> {
  const listed = await sqlToolManifests(dir);
  return (rel) => {
    const [folder, file] = rel.split('/') as [string, string];
    const [major = 0n, minor = 0n, patch = 0n] = folder.slice(1).split('.').map(BigInt);
    const files = listed.get(folder) ?? [];
    const at = files.indexOf(file);
    return [major, minor, patch, BigInt(at < 0 ? files.length : at), rel];
  };
}

const POP_FORWARD = /^(\d+)_[^/.]+(?:\.[a-z0-9]+)?(?:\.autocommit)?\.up\.sql$/;

/** pop (ory) splits one migration over files whose 20-digit version is a 14-digit timestamp and
 *  a 6-digit part: the parts are one migration, deployed together. */
function popMigration(rel: string): string {
  const version = POP_FORWARD.exec(rel)?.[1] ?? rel;
  return version.length === 20 ? version.slice(0, 14) : version;
}

/** drizzle-kit applies the migrations its journal lists, in its order; a file the journal lacks is still linted, after them. */
async function drizzleOrder(dir: Dir): Promise<(rel: string) => SortKey> {
  let tags: string[] = [];
  try {
    const journal = JSON.parse(await dir.read('meta/_journal.json')) as { entries?: { idx?: number; tag?: string }[] };
    tags = [...(journal.entries ?? [])].sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0)).map((e) => `${e.tag}.sql`);
  } catch {
    // no readable journal: the names' order, which is the journal's for files drizzle-kit wrote
  }
  return (rel) => {
    const at = tags.indexOf(rel);
    return at < 0 ? [BigInt(tags.length), ...natural(rel)] : [BigInt(at)];
  };
}

const LIQUIBASE_HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+(\S+)(.*)$/gim;

/** Whether a file's text declares a Liquibase changeset. */
export function holdsChangesets(text: string): boolean {
  return new RegExp(CHANGESET.source, 'im').test(text);
}

/** The lines of a Liquibase changelog before its first changeset (its head, shared by every
 *  changeset); 0 when it has none. */
export function headLines(text: string): number {
  const first = new RegExp(CHANGESET.source, 'im').exec(text);
  return first ? text.slice(0, first.index).split('\n').length - 1 : 0;
}

/** Is PostgreSQL among the databases a changeset's `dbms:` attribute names (none named: all)? */
function forPostgres(attributes: string): boolean {
  const dbms = /\bdbms:(\S+)/i.exec(attributes)?.[1]?.toLowerCase().split(',');
  if (!dbms) return true;
  if (dbms.includes('!postgresql')) return false;
  return dbms.some((d) => d === 'postgresql' || d === 'all') || dbms.every((d) => d.startsWith('!'));
}

/** Blanks everything but the head [0, head) and [from, to) with spaces, one per UTF-8 byte, keeping every line break. */
function keepOnly(text: string, head: number, from: number, to: number): string {
  return text.slice(0, head) + blank(text.slice(head, from)) + text.slice(from, to) + blank(text.slice(to));
}

/** Each changeset of a Liquibase formatted SQL file is a migration of its own, in its own
 *  transaction unless `runInTransaction:false`; a file without the header is not a changelog.
 *  Each keeps the file's head (the header, and comments such as a file-wide ignore). */
function liquibaseUnits(text: string): Unit[] {
  if (!LIQUIBASE_HEADER.test(text)) return [];
  const starts = [...text.matchAll(CHANGESET)];
  return starts.flatMap((m, i): Unit[] => {
    const attributes = m[2] ?? '';
    if (!forPostgres(attributes)) return [];
    const to = starts[i + 1]?.index ?? text.length;
    return [
      {
        id: m[1]!,
        text: keepOnly(text, starts[0]!.index, m.index, to),
        transaction: /\brunInTransaction:false\b/i.test(attributes) ? 'none' : 'per-file',
      },
    ];
  });
}

/** The master changelogs in a Liquibase history's root: their names, and their texts as one. */
async function masterChangelogs(dir: Dir): Promise<{ names: string[]; text: string }> {
  const names = dir.files.filter((rel) => !rel.includes('/') && /changelog[^/]*\.(?:xml|ya?ml|json)$/i.test(rel));
  return { names, text: (await Promise.all(names.map((rel) => dir.read(rel)))).join('\n') };
}

/** Where a master changelog names a file: its path as a whole name, however the include writes it
 *  (`file: changes/a.sql`, `file="/db/changelog/changes/a.sql"`); -1 where it does not. */
function includedAt(master: string, rel: string): number {
  return (
    new RegExp(`(?:^|[\\s"'/:=])${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=["'\\s]|$)`, 'm').exec(master)?.index ??
    -1
  );
}

/** Liquibase runs changelogs in the order a master changelog includes them, else (includeAll) by name. */
async function liquibaseOrder(dir: Dir): Promise<(rel: string) => SortKey> {
  const master = (await masterChangelogs(dir)).text;
  return (rel) => {
    const at = includedAt(master, rel);
    return at < 0 ? [1n, rel] : [0n, BigInt(at)];
  };
}

/** A master changelog that includes its SQL changelogs one by one runs no other: a file it does not
 *  include is never read. Unknown without a master, with includeAll, or when it includes a changelog
 *  that is not one of the root's masters (its includes are not read here). */
async function liquibaseUnincluded(dir: Dir): Promise<((rel: string) => boolean) | undefined> {
  const { names, text: master } = await masterChangelogs(dir);
  const includes = [...master.matchAll(/\bfile["']?\s*[:=]\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]!);
  const unread = includes.some(
    (path) => !/\.sql$/i.test(path) && !names.some((name) => path.split('/').at(-1) === name),
  );
  if (includes.length === 0 || unread || /includeAll/i.test(master)) return undefined;
  return (rel) => includedAt(master, rel) < 0;
}

/** tern's migrations: `<number>_<name>.sql` in the directory itself (a subdirectory's files are templates they include). */
const TERN_FORWARD = /^(\d+)_[^/]+\.sql$/;
/** What only tern writes: the line between a migration's up and down SQL, and the one that runs it outside a transaction. */
const TERN_SEPARATOR = /^---- create above \/ drop below ----/m;
const TERN_NO_TRANSACTION = /^---- tern: disable-tx ----$/m;

/** sqlx's migrations: `<version>_<description>.sql`, or `.up.sql` and `.down.sql` for a reversible one. */
const SQLX_FORWARD = /^(\d+)_[^/]*\.sql$/;

/** A Cargo.toml that depends on sqlx: `sqlx = …`, `sqlx.workspace = true`, `[dependencies.sqlx]`. */
const NAMES_SQLX = /^\s*(?:sqlx\b|\[(?:workspace\.)?(?:dev-)?dependencies\.sqlx\])/m;

/** A file's text; undefined when it cannot be read (a manifest that is not there). Synchronous, as
 *  the walk up a history's directories is: awaiting each read let the other histories' lookups
 *  run ahead, and a lint's worker thread started later. */
function textOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The manifests of a workspace's members: `members = ["server", "crates/*"]`. */
function memberManifests(dir: string, manifest: string): string[] {
  const members = /^\s*members\s*=\s*\[([^\]]*)\]/m.exec(manifest)?.[1] ?? '';
  return [...members.matchAll(/"([^"]+)"/g)].flatMap(([, member]) => {
    if (!member!.endsWith('/*')) return [join(dir, member!, 'Cargo.toml')];
    const parent = join(dir, member!.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name, 'Cargo.toml')) : [];
  });
}

/** Whether the Rust crate a directory belongs to uses sqlx: the nearest Cargo.toml up from it, within
 *  its repository, names sqlx, or it is a workspace's and one of its members does (the migrations of
 *  a workspace, which a member runs with `sqlx::migrate!("../migrations")`). */
function inSqlxCrate(root: string): boolean {
  for (let dir = root; ; ) {
    const manifest = textOf(join(dir, 'Cargo.toml'));
    if (manifest !== undefined)
      return (
        NAMES_SQLX.test(manifest) ||
        (/^\s*\[workspace\]/m.test(manifest) &&
          memberManifests(dir, manifest).some((member) => NAMES_SQLX.test(textOf(member) ?? '')))
      );
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return false;
    dir = parent;
  }
}

/** The up markers of the tools that keep both directions in one `<version>_<name>.sql` file. */
const UP_MARKERS = [GOOSE_SECTIONS.up, /^--\s*migrate:up\b/m, /^\s*--[\s-]*up\s+migration\b/im, TERN_SEPARATOR];

/**
 * A Go text/template's actions (`{{ … }}`) made into SQL that parses, every byte offset and line
 * break kept: a control action (`if`, `else`, `end`, `range`, `with`, `template`, a comment …) is
 * blanked, the SQL between kept; an expression becomes a name as long as it, the same for the same
 * expression (a schema's `{{ index .Options "Namespace" }}` in every file), in lower case and padded
 * with `_`: the same name bare, between double quotes (`"{{ … }}"`) or in a string.
 */
export function goTemplateText(text: string): string {
  if (!text.includes('{{')) return text;
  return text.replace(/\{\{[\s\S]*?\}\}/g, (action) => {
    const inner = action
      .slice(2, -2)
      .replace(/^-\s|\s-$/g, '')
      .trim();
    if (action.includes('\n') || /^(?:if|else|end|range|with|template|define|block|break|continue)\b|^\/\*/.test(inner))
      return blank(action);
    const word = `t_${inner
      .replace(/\W+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase()}`;
    const length = Buffer.byteLength(action);
    return word.slice(0, length).padEnd(length, '_');
  });
}

/** Supabase's migrations directory, or the supabase directory that holds it. */
function isSupabase(dir: Dir): boolean {
  const parts = dir.root.split(/[\\/]/);
  const [parent, name] = parts.slice(-2);
  return (
    (parent === 'supabase' && name === 'migrations') ||
    (name === 'supabase' && dir.entries.has('migrations') && dir.entries.has('config.toml'))
  );
}

async function anyFile(dir: Dir, forward: RegExp, test: (text: string) => boolean): Promise<boolean> {
  for (const rel of dir.files) if (forward.test(rel) && !DOWN.test(rel) && test(await peek(dir, rel))) return true;
  return false;
}

/** A file's text as a layout's detection reads it: one that cannot be read looks like no layout's
 *  (the lint says so only when it is a migration of the layout detected). */
function peek(dir: Dir, rel: string): Promise<string> {
  return dir.read(rel).catch(() => '');
}

export const LAYOUT: Record<LayoutName, Layout> = {
  sqitch: {
    name: 'sqitch',
    expect: 'sqitch deploy/<change>.sql files',
    signs: ['sqitch.plan', 'deploy'],
    forward: /^deploy\/[^/]+\.sql$/,
    down: /^(?:revert|verify)\/[^/]+\.sql$/,
    order: sqitchOrder,
    // sqitch runs deploy scripts through psql, statement by statement; its templates carry explicit BEGIN/COMMIT.
    transaction: () => 'none',
  },
  prisma: {
    name: 'prisma',
    expect: 'Prisma <migration>/migration.sql files',
    signs: ['migration_lock.toml'],
    forward: /^[^/]+\/migration\.sql$/,
    order: () => lexical,
    // Prisma sends the whole script as one query string: PostgreSQL runs it as one implicit transaction.
    transaction: () => 'implicit',
  },
  diesel: {
    name: 'diesel',
    expect: 'Diesel <migration>/up.sql files',
    forward: /^[^/]+\/up\.sql$/,
    down: /^[^/]+\/down\.sql$/,
    order: () => dieselKey,
    // Diesel runs each migration in a transaction unless its metadata.toml opts out.
    transaction: async (_text, rel, dir) => {
      const metadata = rel.replace(/up\.sql$/, 'metadata.toml');
      const optOut =
        dir.files.includes(metadata) && /^\s*run_in_transaction\s*=\s*false\b/m.test(await dir.read(metadata));
      return optOut ? 'none' : 'per-file';
    },
  },
  flyway: {
    name: 'flyway',
    expect: 'Flyway V<version>__<description>.sql files',
    forward: FLYWAY_FORWARD,
    down: /^U\d+(?:[._]\d+)*__[^/]+\.sql$/,
    order: () => flywayKey,
    // Flyway wraps each migration in a transaction on PostgreSQL, except a file of only non-transactional statements.
    transaction: flywayTransaction,
  },
  'golang-migrate': {
    name: 'golang-migrate',
    expect: 'golang-migrate <version>_<name>.up.sql files',
    forward: /^\d+_[^/]*\.up\.sql$/,
    down: /^\d+_[^/]*\.down\.sql$/,
    order: () => natural,
    // golang-migrate sends the file as one multi-statement query: one implicit transaction when it holds several statements.
    transaction: () => 'implicit',
  },
  goose: {
    name: 'goose',
    expect: 'goose <version>_<name>.sql files with -- +goose Up',
    forward: /^\d+_[^/]*\.sql$/,
    sections: GOOSE_SECTIONS,
    order: () => natural,
    transaction: gooseTransaction,
  },
  dbmate: {
    name: 'dbmate',
    expect: 'dbmate <version>_<name>.sql files with -- migrate:up',
    forward: /^\d[^/]*\.sql$/,
    sections: { up: /^--\s*migrate:up\b/m, down: /^--\s*migrate:down\b/m },
    // dbmate applies files in the order of their names (a timestamp version prefix).
    order: () => lexical,
    // dbmate runs each migration in a transaction unless its up marker says transaction:false; then
    // it sends the section as one query string, which PostgreSQL runs as one implicit transaction.
    transaction: (text) => (/^--\s*migrate:up\b.*\btransaction:false\b/m.test(text) ? 'implicit' : 'per-file'),
  },
  drizzle: {
    name: 'drizzle',
    expect: 'drizzle-kit NNNN_<name>.sql files with meta/_journal.json',
    recognize: (dir) => dir.files.includes('meta/_journal.json'),
    forward: /^\d+_[^/]*\.sql$/,
    order: drizzleOrder,
    migration: (rel) => rel.slice(0, -'.sql'.length),
    // drizzle's migrator runs each chunk between `--> statement-breakpoint` comments in one transaction with every other pending migration's
    transaction: () => 'per-file',
    pendingInOneTransaction: true,
  },
  liquibase: {
    name: 'liquibase',
    expect: 'Liquibase formatted SQL files (--liquibase formatted sql, --changeset author:id)',
    claims: (text) => LIQUIBASE_HEADER.test(text),
    recognize: (dir) => anyFile(dir, /^(?:[^/]+\/)?[^/]+\.sql$/, (text) => LIQUIBASE_HEADER.test(text)),
    forward: /^(?:[^/]+\/)?[^/]+\.sql$/,
    order: liquibaseOrder,
    unincluded: liquibaseUnincluded,
    transaction: (text) => (liquibaseUnits(text).some((unit) => unit.transaction === 'none') ? 'none' : 'per-file'),
    units: liquibaseUnits,
  },
  supabase: {
    name: 'supabase',
    expect: 'Supabase CLI supabase/migrations/<timestamp>_<name>.sql files',
    recognize: isSupabase,
    forward: /^(?:migrations\/)?\d+_[^/]*\.sql$/,
    order: () => natural,
    // the CLI sends a file's statements as one batch: one implicit transaction, unless the file has its own BEGIN/COMMIT
    transaction: () => 'implicit',
  },
  pop: {
    name: 'pop',
    expect: 'pop/ory <version>_<name>[.postgres].up.sql files',
    // pop renders a SQL migration as a Go template (`{{ index .Options "Namespace" }}`) before it runs it
    templates: true,
    recognize: (dir) =>
      dir.files.some((rel) =>
        /^\d+_[^/.]+\.(?:postgres|mysql|sqlite3?|cockroach|autocommit)\.(?:autocommit\.)?(?:up|down)\.sql$/.test(rel),
      ),
    forward: POP_FORWARD,
    down: /^\d+_[^/]*\.down\.sql$/,
    otherDatabase: OTHER_DIALECT,
    // a file for every database gives way to the version's file for PostgreSQL
    replaced: (files) => {
      const postgres = /\.postgres\.(?:autocommit\.)?up\.sql$/;
      const versions = new Set(files.filter((rel) => postgres.test(rel)).map((rel) => POP_FORWARD.exec(rel)?.[1]));
      return (rel) => !postgres.test(rel) && versions.has(POP_FORWARD.exec(rel)?.[1]);
    },
    order: () => natural,
    migration: popMigration,
    // each file in a transaction of its own, unless named .autocommit
    transaction: (_text, rel) => (/\.autocommit\.up\.sql$/.test(rel) ? 'none' : 'per-file'),
  },
  'up-down': {
    name: 'up-down',
    expect: '<version>.<name>.up.sql / .down.sql pairs (V0001.Name.up.sql)',
    forward: UP_DOWN_FORWARD,
    down: /^V?\d+[._-][^/]*\.down\.sql$/i,
    order: () => byVersion(UP_DOWN_FORWARD),
    migration: (rel) => String(BigInt(UP_DOWN_FORWARD.exec(rel)?.[1] ?? 0)),
    // one query string per file, as golang-migrate, whose naming it shares; set `transaction` in the config if your tool differs
    transaction: () => 'implicit',
  },
  'version-dirs': {
    name: 'version-dirs',
    expect: 'version folders <version>/NN_<name>.up.sql',
    // only version folders: a root that holds .sql files of its own is another layout's
    recognize: (dir) =>
      dir.files.some((rel) => /^\d+\/[^/]+\.sql$/.test(rel) && !DOWN.test(rel)) &&
      !dir.files.some((rel) => !rel.includes('/') && rel.endsWith('.sql')),
    forward: /^(\d+)\/[^/]+\.sql$/,
    // versions as numbers, then the files of a version by name with their numbers as numbers (2_x before 10_x)
    order: () => (rel: string) => [BigInt(/^(\d+)\//.exec(rel)?.[1] ?? 0), ...natural(rel)],
    migration: (rel) => String(BigInt(rel.slice(0, rel.indexOf('/')))),
    transaction: () => 'implicit',
  },
  'temporal-sql-tool': {
    name: 'temporal-sql-tool',
    expect:
      'temporal-sql-tool (or cadence-sql-tool) version folders v<version>/ whose manifest.json lists their .sql files',
    recognize: (dir) => dir.files.some((rel) => SQL_TOOL_MANIFEST.test(rel)),
    forward: SQL_TOOL_FORWARD,
    order: sqlToolOrder,
    // the tool runs only the files a version's manifest lists
    unincluded: async (dir) => {
      const listed = await sqlToolManifests(dir);
      return (rel) => {
        const [folder, file] = rel.split('/') as [string, string];
        return listed.get(folder)?.includes(file) === false;
      };
    },
    migration: versionOf,
    // `update-schema` sends each statement of a version's files on its own, outside a transaction
    transaction: () => 'none',
  },
  tern: {
    name: 'tern',
    expect: 'tern <number>_<name>.sql files (---- create above / drop below ----)',
    signs: ['tern.conf'],
    recognize: (dir) =>
      anyFile(dir, TERN_FORWARD, (text) => TERN_SEPARATOR.test(text) || TERN_NO_TRANSACTION.test(text)),
    forward: TERN_FORWARD,
    // no up marker (the up SQL is the file's start: a marker nothing matches); the SQL below the separator is the down migration
    sections: { up: /(?!)/, down: TERN_SEPARATOR },
    order: () => byVersion(TERN_FORWARD),
    // tern runs a migration in a transaction, unless it says disable-tx: then statement by statement
    transaction: (text) => (TERN_NO_TRANSACTION.test(text) ? 'none' : 'per-file'),
    templates: true,
  },
  sqlx: {
    name: 'sqlx',
    expect: 'sqlx <version>_<description>.sql files in a Rust crate that depends on sqlx',
    // its files' names are golang-migrate's, goose's, dbmate's and Atlas's: known by the crate, and by
    // a directory that holds neither atlas.sum nor a file with another tool's up marker
    recognize: async (dir) =>
      !dir.entries.has('atlas.sum') &&
      dir.files.some((rel) => SQLX_FORWARD.test(rel) && !DOWN.test(rel)) &&
      inSqlxCrate(dir.root) &&
      !(await anyFile(dir, SQLX_FORWARD, (text) => UP_MARKERS.some((marker) => marker.test(text)))),
    forward: SQLX_FORWARD,
    down: /^\d+_[^/]*\.down\.sql$/,
    // by version, a 64-bit number
    order: () => byVersion(SQLX_FORWARD),
    // sqlx runs a migration in a transaction, unless its text begins with `-- no-transaction`: then it
    // sends it as one query string, which PostgreSQL runs as one implicit transaction
    transaction: (text) => (text.startsWith('-- no-transaction') ? 'implicit' : 'per-file'),
  },
  atlas: {
    name: 'atlas',
    expect: 'Atlas <version>_<name>.sql files with atlas.sum',
    recognize: (dir) => dir.entries.has('atlas.sum'),
    forward: /^[^/]+\.sql$/,
    order: () => lexical,
    // `atlas migrate apply` runs each file in a transaction of its own unless the file says `-- atlas:txmode none`
    transaction: (text) => (/^--\s*atlas:txmode\s+none\b/m.test(text) ? 'none' : 'per-file'),
  },
  'node-pg-migrate': {
    name: 'node-pg-migrate',
    expect: 'node-pg-migrate <timestamp>_<name>.sql files with -- Up Migration',
    forward: /^\d[^/]*\.sql$/,
    sections: { up: /^\s*--[\s-]*up\s+migration\b/im, down: /^\s*--[\s-]*down\s+migration\b/im },
    order: () => lexical,
    // node-pg-migrate runs every pending migration in one transaction by default (--single-transaction)
    transaction: () => 'per-file',
    pendingInOneTransaction: true,
  },
  plain: {
    name: 'plain',
    expect: '*.sql files',
    forward: /^[^/]+\.sql$/,
    // with no tool to say otherwise, `*_down.sql` and Flyway-style undo files are taken for down files
    down: /^(?:[^/]*_down\.sql|U\d+(?:[._]\d+)*__[^/]*\.sql)$/i,
    order: () => natural,
    // psql -f runs each statement in autocommit; explicit BEGIN/COMMIT in the file still count.
    transaction: () => 'none',
  },
};

/** The order in which a directory is tested against the layouts; plain takes whatever is left.
 *  pop, known by its file names, comes before liquibase, known by reading files: a pop history
 *  keeps a file per database for each migration, which would all be read for nothing. */
export const DETECTION: readonly Layout[] = (
  [
    'sqitch',
    'prisma',
    'diesel',
    'drizzle',
    'supabase',
    'pop',
    'liquibase',
    'flyway',
    'sqlx',
    'golang-migrate',
    'up-down',
    'version-dirs',
    'temporal-sql-tool',
    'atlas',
    // known by reading files, as goose and dbmate are: after the layouts known by their names
    'tern',
    'goose',
    'dbmate',
    'node-pg-migrate',
    'plain',
  ] as const
).map((name) => LAYOUT[name]);

/** Does the directory look like this layout: a sign, or forward files (carrying the up marker where the layout has one)? */
export async function detects(layout: Layout, dir: Dir): Promise<boolean> {
  if (layout.signs?.some((sign) => dir.entries.has(sign))) return true;
  if (layout.recognize) return layout.recognize(dir);
  const files = dir.files.filter((rel) => kindOf(layout, rel) === 'forward');
  if (!layout.sections) return files.length > 0;
  for (const rel of files) if (layout.sections.up.test(await peek(dir, rel))) return true;
  return false;
}

/** What a file is to a layout: a forward migration, a down file it skips, a file for another database it skips, or none of its files. */
export function kindOf(layout: Layout, rel: string): 'forward' | 'down' | 'other-database' | undefined {
  const own = layout.forward.test(rel) || layout.down?.test(rel) === true;
  if (layout.down?.test(rel) || (own && DOWN.test(rel))) return 'down';
  if (own && layout.otherDatabase?.test(rel)) return 'other-database';
  return own ? 'forward' : undefined;
}

/** A shorter key that is a prefix of a longer one sorts first. */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i];
    if (y === undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Blanks the marker lines and the down section with spaces, one per UTF-8 byte, keeping
 *  every line break: byte offsets, lines and columns of the up section match the file. */
export function forwardText(text: string, sections: { up: RegExp; down: RegExp }): string {
  // every marker is a comment: only lines holding `--` are tested, and the lines between two
  // markers are copied or blanked at once
  let out = '';
  let inDown = false;
  let from = 0;
  let dash = -1;
  for (let at = 0; at < text.length; ) {
    const next = text.indexOf('\n', at);
    const end = next === -1 ? text.length : next + 1;
    if (dash < at) dash = text.indexOf('--', at);
    if (dash === -1) break;
    if (dash < end) {
      const line = text.slice(at, end);
      const down = sections.down.test(line);
      if (down || sections.up.test(line)) {
        out += (inDown ? blank(text.slice(from, at)) : text.slice(from, at)) + blank(line);
        inDown = down;
        from = end;
      }
    }
    at = end;
  }
  return out + (inDown ? blank(text.slice(from)) : text.slice(from));
}

/** Spaces for the text, one per UTF-8 byte, keeping its line breaks. */
function blank(text: string): string {
  return text.replace(/[^\r\n]+/g, (run) => ' '.repeat(Buffer.byteLength(run)));
}
