// The migration layouts pgphase understands, one table entry each: which files are
// forward (and down) migrations, the order the tool applies them in, and whether the
// tool wraps a file in a transaction.
/** How the migration tool runs a file: in a transaction of its own, as one query string (one implicit transaction when it holds several statements), or statement by statement. */
export type TransactionModel = 'per-file' | 'implicit' | 'none';

export type LayoutName = 'plain' | 'flyway' | 'golang-migrate' | 'prisma' | 'diesel' | 'dbmate' | 'goose' | 'sqitch';

export const LAYOUTS: readonly LayoutName[] = ['plain', 'flyway', 'golang-migrate', 'prisma', 'diesel', 'dbmate', 'goose', 'sqitch'];

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

export interface Layout {
  name: LayoutName;
  /** What its migrations look like, for the message when a directory holds none. */
  expect: string;
  /** Entries in a root that identify the layout even before it holds a migration. */
  signs?: readonly string[];
  /** Relative paths of forward migrations. */
  forward: RegExp;
  /** Relative paths of down (undo) migrations; they are never linted. */
  down?: RegExp;
  /** Marker lines of tools that keep both directions in one file; everything outside the up section is blanked. */
  sections?: { up: RegExp; down: RegExp };
  /** The sort key of each forward file: the tool applies them in ascending order. */
  order(dir: Dir): ((rel: string) => SortKey) | Promise<(rel: string) => SortKey>;
  transaction(text: string, rel: string, dir: Dir): TransactionModel | Promise<TransactionModel>;
}

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
  const changes = plan.split('\n').map((line) => line.trim().split(/\s+/)[0] ?? '').filter((word) => /^[^%@#]/.test(word));
  return (rel) => {
    // A reworked change is listed again later; its current deploy script runs at that last place.
    const at = changes.lastIndexOf(rel.slice('deploy/'.length, -'.sql'.length));
    return at < 0 ? [BigInt(changes.length), rel] : [BigInt(at)];
  };
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
      const optOut = dir.files.includes(metadata) && /^\s*run_in_transaction\s*=\s*false\b/m.test(await dir.read(metadata));
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
    // dbmate runs each migration in a transaction unless its up marker says transaction:false.
    transaction: (text) => (/^--\s*migrate:up\b.*\btransaction:false\b/m.test(text) ? 'none' : 'per-file'),
  },
  plain: {
    name: 'plain',
    expect: '*.sql files',
    forward: /^[^/]+\.sql$/,
    order: () => natural,
    // psql -f runs each statement in autocommit; explicit BEGIN/COMMIT in the file still count.
    transaction: () => 'none',
  },
};

/** The order in which a directory is tested against the layouts; plain takes whatever is left. */
export const DETECTION: readonly Layout[] = (['sqitch', 'prisma', 'diesel', 'flyway', 'golang-migrate', 'goose', 'dbmate', 'plain'] as const).map(
  (name) => LAYOUT[name],
);

/** Does the directory look like this layout: a sign, or forward files (carrying the up marker where the layout has one)? */
export async function detects(layout: Layout, dir: Dir): Promise<boolean> {
  if (layout.signs?.some((sign) => dir.entries.has(sign))) return true;
  const files = dir.files.filter((rel) => layout.forward.test(rel));
  if (!layout.sections) return files.length > 0;
  for (const rel of files) if (layout.sections.up.test(await dir.read(rel))) return true;
  return false;
}

export function kindOf(layout: Layout, rel: string): 'forward' | 'down' | undefined {
  if (layout.forward.test(rel)) return 'forward';
  return layout.down?.test(rel) ? 'down' : undefined;
}

/** A shorter key that is a prefix of a longer one sorts first. */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (const [i, x] of a.entries()) {
    const y = b[i];
    if (y === undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Blanks the marker lines and the down section with spaces, one per UTF-8 byte, keeping
 *  every line break: byte offsets, lines and columns of the up section match the file. */
export function forwardText(text: string, sections: { up: RegExp; down: RegExp }): string {
  let inDown = false;
  return text.replace(/[^\n]*\n?/g, (line) => {
    const marker = sections.up.test(line) || sections.down.test(line);
    if (marker) inDown = sections.down.test(line);
    return marker || inDown ? line.replace(/[^\r\n]/gu, (char) => ' '.repeat(Buffer.byteLength(char))) : line;
  });
}
