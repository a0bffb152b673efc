// Finds the migrations of a directory, or the history one file belongs to, in the order
// the migration tool applies them, with each file's forward SQL and transaction model.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, stat } from '../files.js';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { TransactionModel } from './layouts.js';
import {
  compareKeys,
  DETECTION,
  detects,
  DOWN,
  forwardText,
  goTemplateText,
  holdsChangesets,
  kindOf,
  LAYOUT,
  LAYOUTS,
  type Dir,
  type Layout,
  type LayoutName,
} from './layouts.js';

export { LAYOUTS, type LayoutName };

export interface MigrationFile {
  /** path as the user would see it: relative to the run's working directory when inside it, else absolute */
  path: string;
  absPath: string;
  /** forward (up) SQL. Down sections/markers are replaced by spaces, keeping every newline, so byte offsets, lines and columns still match the file on disk */
  text: string;
  transaction: TransactionModel;
  layout: LayoutName;
  /** The migration the file belongs to, the unit the tool applies: consecutive files with the same id
   *  (a version split over several files) are one migration. A file that holds several migrations
   *  (Liquibase changesets) has one entry per migration, each with the others blanked. */
  migration: string;
}

export interface SkippedFile {
  absPath: string;
  /** a down migration; a file for other databases only; a file the tool applies another in place of (pop: the version's PostgreSQL file);
   *  a file the changelog that names the migrations does not include (Liquibase) */
  reason: 'down' | 'other-database' | 'replaced' | 'unincluded';
}

export interface MigrationSet {
  /** absolute directory */
  root: string;
  layout: LayoutName;
  /** forward files, in the order the tool applies them */
  files: MigrationFile[];
  /** Down files, and files for other databases, that are never linted. */
  skipped: SkippedFile[];
  /** The tool runs all pending migrations in one transaction (drizzle-kit, node-pg-migrate).
   *  Shown by `lint --list` only: the rules still see each file in its own transaction. */
  pendingInOneTransaction: boolean;
}

/** One run's lookups: paths are shown relative to its working directory, and its reads are
 *  shared: pass the same Discovery to every call, and each directory is listed, detected and
 *  collected once, however many of its files are looked up. */
export class Discovery {
  private readonly reads = new Map<string, Promise<unknown>>();
  private readonly names = new Map<string, ReadonlySet<string>>();
  /** The working directory, resolved, with a trailing separator. */
  private readonly inside: string;

  constructor(readonly cwd: string = process.cwd()) {
    const root = resolve(cwd);
    this.inside = root.endsWith(sep) ? root : root + sep;
  }

  /** The names of the files a directory holds, when this run has listed it (a root's names
   *  include its directories). */
  listed(dir: string): ReadonlySet<string> | undefined {
    return this.names.get(dir);
  }

  /** Records what a listing found in a directory. */
  list(dir: string, names: readonly string[]): void {
    this.names.set(dir, new Set(names));
  }

  memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let result = this.reads.get(key) as Promise<T> | undefined;
    if (!result) this.reads.set(key, (result = compute()));
    return result;
  }

  /** A path as the user would see it: relative to the working directory when inside it, else absolute.
   *  `absPath` is absolute and normalized, as resolve() and join() make it. */
  display(absPath: string): string {
    // under the working directory (a history's files, usually): what relative() gives, without its two resolves per file
    if (absPath.startsWith(this.inside)) return absPath.slice(this.inside.length);
    // elsewhere, on POSIX, relative() gives the directory itself or a path up (`../`): shown absolute
    if (sep === '/') return `${absPath}/` === this.inside ? '.' : absPath;
    const rel = relative(this.cwd, absPath);
    if (rel === '') return '.';
    return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? absPath : rel;
  }
}

const opened = (root: string, discovery: Discovery) => discovery.memo(`dir\0${root}`, () => openDir(root, discovery));
const detected = (dir: Dir, discovery: Discovery) => discovery.memo(`layout\0${dir.root}`, () => detect(dir));
const collected = (dir: Dir, layout: Layout, discovery: Discovery) =>
  discovery.memo(`set\0${layout.name}\0${dir.root}`, () => collect(dir, layout, discovery));

/** Detects (or uses the given) layout of a directory and lists its forward migrations in apply order.
 *  Throws an InputError naming the directory and the fix when it holds no SQL migration. */
export async function discoverSet(
  dir: string,
  layout?: LayoutName,
  discovery = new Discovery(),
): Promise<MigrationSet> {
  const root = await opened(resolve(discovery.cwd, dir), discovery);
  return collected(root, layout ? LAYOUT[layout] : await detected(root, discovery), discovery);
}

/** The set one .sql file belongs to (rooted where its layout roots a history) and the file's
 *  entry in it; `undefined` for a down migration, which is never linted as a forward change. */
export async function fileInSet(
  file: string,
  layout?: LayoutName,
  discovery = new Discovery(),
): Promise<{ set: MigrationSet; file: MigrationFile } | undefined> {
  const absPath = resolve(discovery.cwd, file);
  await stat(absPath).catch((error: unknown) => {
    throw unreadable(discovery.display(absPath), error, 'file');
  });
  // Prisma, Diesel and sqitch keep a history one level above the file's directory; a file
  // that fits no layout there or in its own directory is a plain set of its directory.
  const attempts: [string, LayoutName | undefined][] = [
    [dirname(dirname(absPath)), layout],
    [dirname(absPath), layout],
    [dirname(absPath), 'plain'],
  ];
  let own: string | undefined;
  const ownText = () => (own ??= readFileSync(absPath, 'utf8'));
  for (const [root, name] of attempts) {
    const rel = relative(root, absPath).split(sep).join('/');
    // A test on the name (and the file's own text where a layout claims files by it) first,
    // so that no directory is read for nothing.
    const fits = (candidate: Layout) =>
      kindOf(candidate, rel) !== undefined && (!candidate.claims || candidate.claims(ownText()));
    if (!(name ? [LAYOUT[name]] : DETECTION).some(fits)) continue;
    const dir = await opened(root, discovery);
    const found = name ? LAYOUT[name] : await detected(dir, discovery);
    const kind = kindOf(found, rel);
    if (kind === 'down' || kind === 'other-database') return undefined;
    if (kind === 'forward') {
      const set = await collected(dir, found, discovery);
      const entry = set.files.find((f) => f.absPath === absPath);
      if (entry) return { set, file: entry };
      if (set.skipped.some((f) => f.absPath === absPath)) return undefined;
    }
  }
  throw new InputError(`${discovery.display(absPath)}: not a SQL migration; pass a .sql file`);
}

/** The entries a file of `set` has when its text is `text` instead (standard input linted as that file). */
export async function withText(
  set: MigrationSet,
  file: MigrationFile,
  text: string,
  discovery: Discovery,
): Promise<MigrationFile[]> {
  const rel = relative(set.root, file.absPath).split(sep).join('/');
  return entriesOf(LAYOUT[file.layout], rel, text, await opened(set.root, discovery), {
    path: file.path,
    absPath: file.absPath,
    layout: file.layout,
  });
}

/** A file's SQL as its tool runs it, where the tool renders it as a Go template first. */
const withTemplates = (layout: Layout, text: string) => (layout.templates ? goTemplateText(text) : text);

/** A forward file's entries: one, or one per migration it holds (Liquibase changesets). */
async function entriesOf(
  layout: Layout,
  rel: string,
  text: string,
  dir: Dir,
  file: Pick<MigrationFile, 'path' | 'absPath' | 'layout'>,
): Promise<MigrationFile[]> {
  // the fields written out, not spread from `file`: each field added after a spread costs a
  // search of the copy's map transitions in baseline code
  const { path, absPath, layout: name } = file;
  if (layout.units)
    return layout.units(text, rel).map((unit) => ({
      path,
      absPath,
      layout: name,
      text: unit.text,
      transaction: unit.transaction,
      migration: unit.id,
    }));
  return [
    {
      path,
      absPath,
      layout: name,
      text: withTemplates(layout, layout.sections ? forwardText(text, layout.sections) : text),
      transaction: await layout.transaction(text, rel, dir),
      migration: layout.migration?.(rel) ?? rel,
    },
  ];
}

/** A set as `pgphase lint --list` shows it: plain data, paths relative to the set's root. */
export interface SetListing {
  /** the root as the user would see it */
  root: string;
  layout: LayoutName;
  pendingInOneTransaction: boolean;
  /** in apply order; a file that holds several migrations appears under each */
  migrations: { id: string; files: { path: string; transaction: TransactionModel }[] }[];
  skipped: { path: string; reason: SkippedFile['reason'] }[];
}

export function listing(set: MigrationSet, discovery: Discovery): SetListing {
  // a set's files and skipped files are below its root: shown from there
  const fromRoot = new Discovery(set.root);
  const rel = (absPath: string) => fromRoot.display(absPath).split(sep).join('/');
  const migrations: SetListing['migrations'] = [];
  for (const file of set.files) {
    const entry = { path: rel(file.absPath), transaction: file.transaction };
    const last = migrations.at(-1);
    if (last?.id === file.migration) last.files.push(entry);
    else migrations.push({ id: file.migration, files: [entry] });
  }
  return {
    root: discovery.display(set.root),
    layout: set.layout,
    pendingInOneTransaction: set.pendingInOneTransaction,
    migrations,
    skipped: set.skipped.map((f) => ({ path: rel(f.absPath), reason: f.reason })),
  };
}

/** Is this path a forward migration file of some layout? Judged by its name alone. */
export function isForwardMigration(file: string): boolean {
  const absPath = resolve(file);
  const name = basename(absPath);
  const rels = [name, `${basename(dirname(absPath))}/${name}`];
  return (
    name.endsWith('.sql') &&
    !DOWN.test(name) &&
    !DETECTION.some((layout) => rels.some((rel) => ['down', 'other-database'].includes(kindOf(layout, rel) ?? '')))
  );
}

async function detect(dir: Dir): Promise<Layout> {
  for (const layout of DETECTION) if (await detects(layout, dir)) return layout;
  return LAYOUT.plain;
}

async function collect(dir: Dir, layout: Layout, discovery: Discovery): Promise<MigrationSet> {
  const replaced = layout.replaced?.(dir.files);
  const unincluded = await layout.unincluded?.(dir);
  const kinds = dir.files.map((rel) => {
    const kind = kindOf(layout, rel);
    if (kind !== 'forward') return { rel, kind };
    return { rel, kind: replaced?.(rel) ? ('replaced' as const) : unincluded?.(rel) ? ('unincluded' as const) : kind };
  });
  const forward = kinds.filter((f) => f.kind === 'forward').map((f) => f.rel);
  const keyOf = await layout.order(dir);
  const ordered = forward
    .map((rel) => ({ rel, key: keyOf(rel) }))
    .sort((a, b) => compareKeys(a.key, b.key) || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const perFile = await Promise.all(
    ordered.map(async ({ rel }) => {
      const absPath = below(dir.root, rel);
      return entriesOf(layout, rel, await dir.read(rel), dir, {
        path: discovery.display(absPath),
        absPath,
        layout: layout.name,
      });
    }),
  );
  const files = perFile.flat();
  if (files.length === 0) throw await nothingFound(dir, layout, discovery);
  const skip = (rel: string, reason: SkippedFile['reason']): SkippedFile => ({ absPath: below(dir.root, rel), reason });
  const skipped = kinds.flatMap(({ rel, kind }) =>
    kind === 'down' || kind === 'other-database' || kind === 'replaced' ? [skip(rel, kind)] : [],
  );
  // a file no changelog includes is named only if it is one of the layout's (a Liquibase changelog, not any .sql file)
  for (const { rel, kind } of kinds)
    if (kind === 'unincluded' && (layout.claims?.(await dir.read(rel)) ?? true)) skipped.push(skip(rel, kind));
  // a changelog whose changesets are all for other databases holds no migration for PostgreSQL
  for (const [i, { rel }] of ordered.entries()) {
    if (perFile[i]!.length === 0 && holdsChangesets(await dir.read(rel))) skipped.push(skip(rel, 'other-database'));
  }
  return {
    root: dir.root,
    layout: layout.name,
    files,
    skipped,
    pendingInOneTransaction: layout.pendingInOneTransaction === true,
  };
}

/** Directories never searched for migrations below a root. */
const NOT_SEARCHED = new Set(['node_modules', '.git', 'dist', 'build', 'target', 'vendor']);

/**
 * Why a directory gave no migration, naming what it holds: the layouts that read its files
 * (`--layout`), or the directories below it whose files one does. Walks at most four levels down.
 */
async function nothingFound(dir: Dir, layout: Layout, discovery: Discovery): Promise<InputError> {
  const shown = discovery.display(dir.root);
  for (const other of DETECTION) {
    if (other === layout || !(await detects(other, dir))) continue;
    const count = dir.files.filter((rel) => kindOf(other, rel) === 'forward').length;
    if (count === 0) continue;
    return new InputError(
      `${shown}: no SQL migrations found for the ${layout.name} layout (looked for ${layout.expect}); found ${count} file${count === 1 ? '' : 's'} of the ${other.name} layout: pass --layout ${other.name}`,
    );
  }
  const below = await sqlBelow(dir.root, 4);
  if (below.length > 0) {
    const dirs = [...new Set(below.map((file) => dirname(file)))];
    const sample = dirs
      .slice(0, 3)
      .map((d) => discovery.display(d))
      .join(', ');
    return new InputError(
      `${shown}: no SQL migrations at this level (looked for ${layout.expect}); found ${below.length} .sql file${below.length === 1 ? '' : 's'} below it, in ${sample}${dirs.length > 3 ? ` and ${dirs.length - 3} more` : ''}: pass the directory that holds them (pgphase lint --list <dir> shows how it is read)`,
    );
  }
  return new InputError(
    `${shown}: no SQL migrations found (looked for ${layout.expect}); pass the directory that holds the migration files`,
  );
}

async function sqlBelow(root: string, depth: number): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const found = await Promise.all(
    entries.map(async (entry) => {
      const path = join(root, entry.name);
      if (entry.isDirectory()) return depth > 0 && !NOT_SEARCHED.has(entry.name) ? sqlBelow(path, depth - 1) : [];
      return entry.name.endsWith('.sql') ? [path] : [];
    }),
  );
  return found.flat();
}

/** The path of an entry a listing of `root` (absolute and normalized) found: `name` or `dir/name`.
 *  What join() gives, without its normalizing pass, which is most of its cost per file. */
function below(root: string, rel: string): string {
  if (sep !== '/') return join(root, rel);
  return root.endsWith('/') ? root + rel : `${root}/${rel}`;
}

async function openDir(root: string, discovery: Discovery): Promise<Dir> {
  // listed synchronously, as files are read: a promise per directory costs trips to the thread
  // pool, and a Prisma or Diesel history has a directory per migration
  const list = (path: string) => {
    try {
      return readdirSync(path, { withFileTypes: true });
    } catch (error) {
      throw unreadable(discovery.display(path), error, 'directory');
    }
  };
  const entries = list(root);
  discovery.list(
    root,
    entries.map((entry) => entry.name),
  );
  const nested = entries.map((entry) => {
    if (!entry.isDirectory()) return [entry.name];
    const path = below(root, entry.name);
    const files = list(path)
      .filter((sub) => !sub.isDirectory())
      .map((sub) => sub.name);
    discovery.list(path, files);
    // a plan directory (pgphase plan writes one next to its migration) holds phases, not migrations
    return files.includes('plan.json') ? [] : files.map((name) => `${entry.name}/${name}`);
  });
  const texts = new Map<string, Promise<string>>();
  return {
    root,
    entries: new Set(entries.map((entry) => entry.name)),
    files: nested.flat(),
    read(rel) {
      const path = below(root, rel);
      let text = texts.get(rel);
      if (!text) {
        // read synchronously: a migration is small, and a promise read costs four trips to the
        // thread pool (open, stat, read, close), which for a history of 2,000 files is most of a lint's I/O
        try {
          text = Promise.resolve(readFileSync(path, 'utf8'));
        } catch (error) {
          text = Promise.reject(unreadable(discovery.display(path), error, 'file'));
          text.catch(() => undefined); // rejected only for the caller that awaits it
        }
        texts.set(rel, text);
      }
      return text;
    },
  };
}

function unreadable(shown: string, error: unknown, what: 'file' | 'directory'): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? `no such ${what}`
      : code === 'ENOTDIR'
        ? `not a ${what}`
        : `cannot read the ${what} (${code ?? String(error)})`;
  return new InputError(`${shown}: ${reason}`);
}
