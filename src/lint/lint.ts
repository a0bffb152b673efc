// `lint()`: files and directories in, a LintResult out. Groups the targets by their
// migration set, replays each set's earlier migrations into the schema model, and lints
// the targets in the order the migration tool applies them.
import { existsSync } from 'node:fs';
import { stat } from '../files.js';
import { dirname, relative, resolve, sep } from 'node:path';
import { matchesAny } from '../config/glob.js';
import { ConfigFinder, loadConfigFile, type LoadedConfig } from '../config/load.js';
import {
  discoverSet,
  Discovery,
  fileInSet,
  listing,
  withText,
  type LayoutName,
  type SetListing,
  type MigrationFile,
  type MigrationSet,
} from '../discover/index.js';
import { InputError } from '../errors.js';
import type { Change } from '../sql/changes.js';
import { loadParser } from '../sql/source.js';
import { emittedPhases } from './emitted.js';
import type { FileResult } from './engine.js';
import { SetLinter, type Config, type SetFile } from './set.js';
import { LintThreads } from './threads.js';
import { FileLines, summarize, type FileLine, type LintResult } from './result.js';
import type { Rule, SeveritySetting } from './rule.js';

export interface LintOptions {
  /** Files and directories; when empty, the config's `migrations`. */
  paths: string[];
  rules: readonly Rule[];
  cwd?: string;
  /** An explicit config file (`--config`) instead of searching upward. */
  configFile?: string;
  /** The migration tool's layout (`--layout`), over the config's and detection. */
  layout?: LayoutName;
  /** Overrides the config's `pgVersion`. */
  pgVersion?: number;
  /** Severity overrides (`--rule id=level`), over the config's. */
  ruleOverrides?: Record<string, SeveritySetting>;
  /** The starting schema (a schema dump or a live catalog, as changes); empty when not given. */
  baseSchema?: readonly Change[];
  /** SQL from standard input, linted as if it were this file. */
  stdin?: { filename: string; text: string };
  /** A baseline of accepted findings (`--baseline`, `--write-baseline`): its findings are not
   *  reported. `write` records this run's findings in it first; `required` makes a missing file an error. */
  baseline?: { file: string; write?: boolean; required?: boolean };
  /** Keep results in this directory and reuse them while nothing they depend on changes
   *  (`--cache`). Keyed by rule id: rules other than pgphase's must change id when they change. */
  cacheDir?: string;
  /** Findings name the table locks their statement takes (`Finding.lock`; default true). Working
   *  them out is a tenth of a lint: a caller that shows no lock passes false. */
  locks?: boolean;
  /** How many threads lint migration sets at once (each set is linted by one); by default as many
   *  as the machine has cores and the sets that miss the cache hold SQL to pay for (threads.ts). */
  threads?: number;
}

export interface LintOutput {
  result: LintResult;
  /** Source text per reported path, for code frames. */
  sources: Map<string, string>;
  /** With `baseline.write`: the file written and how many findings it holds. */
  written?: { file: string; findings: number };
  /** Each linted file by path, as it was linted (its transaction model as the config sets it); a file
   *  that holds several migrations has an entry for each. */
  linted: Map<string, MigrationFile[]>;
  /** The line of the JSON report of the results made from one (the cache's, a worker thread's),
   *  and of those the cache keeps, by result: `formatResult` prints it (`lines`), `summarize`
   *  counts it. A result that a baseline, `--queries` or sizes change is a new one, not among them. */
  lines: ReadonlyMap<FileResult, FileLine>;
  /** The files named that are not linted: their set does not apply them as migrations (a down
   *  migration, a file for another database, one its tool applies another in place of). */
  skipped: string[];
}

interface Group {
  set: MigrationSet;
  targets: Set<string>;
}

async function kind(path: string): Promise<'file' | 'dir'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    throw new InputError(`${path}: no such file or directory`);
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** The config of each directory: the explicit one, else the nearest found upward. */
function configs(
  options: Pick<LintOptions, 'rules' | 'configFile'>,
  discovery: Discovery,
): (dir: string) => Promise<LoadedConfig> {
  const known = new Set(options.rules.map((r) => r.meta.id));
  const cwd = discovery.cwd;
  const finder = new ConfigFinder(known, cwd, (dir) => discovery.listed(dir));
  const explicit = options.configFile ? loadConfigFile(resolve(cwd, options.configFile), known) : undefined;
  explicit?.catch(() => undefined); // its error reaches the first caller that awaits it
  return (dir) => explicit ?? finder.forDirectory(dir);
}

/** The migration sets the paths belong to (the config's `migrations` when none are given), each
 *  with the files to lint in it, in the order given; and the files named that their set does not
 *  apply as migrations (LintOutput.skipped), by absolute path. */
async function targetSets(
  options: LintOptions,
  cwd: string,
  configFor: (dir: string) => Promise<LoadedConfig>,
  discovery: Discovery,
  threads?: LintThreads,
): Promise<{ groups: Map<string, Group>; skipped: string[] }> {
  const groups = new Map<string, Group>();
  let paths = options.paths;
  if (paths.length === 0 && !options.stdin) {
    const { config, dir } = await configFor(cwd);
    const configured = config.migrations === undefined ? [] : [config.migrations].flat();
    if (configured.length === 0)
      throw new InputError('no paths given and no `migrations` in the config: run `pgphase lint <dir-or-file>`');
    paths = configured.map((p) => resolve(dir, p));
  }
  // Look up every path at once (their reads overlap; each directory is read once however
  // many of its files are named), then group them in the order given. Each set found tells the
  // threads the SQL it replays up to the path's last file, while the other paths are looked up.
  const lookups = await Promise.allSettled(
    paths.map(async (path): Promise<[MigrationSet, MigrationFile[]] | string> => {
      const abs = resolve(cwd, path);
      let found: [MigrationSet, MigrationFile[]];
      if ((await kind(abs)) === 'dir') {
        const set = await discoverSet(abs, options.layout ?? (await configFor(abs)).config.layout, discovery);
        found = [set, set.files];
      } else {
        const file = await fileInSet(abs, options.layout ?? (await configFor(dirname(abs))).config.layout, discovery);
        if (!file) return abs;
        found = [file.set, file.set.files.filter((f) => f.absPath === file.file.absPath)];
      }
      if (threads) {
        const [set, files] = found;
        threads.expect(set.root, set.files.slice(0, set.files.lastIndexOf(files.at(-1)!) + 1));
      }
      return found;
    }),
  );
  const skipped: string[] = [];
  for (const lookup of lookups) {
    if (lookup.status === 'rejected') throw lookup.reason;
    if (typeof lookup.value === 'string') {
      skipped.push(lookup.value);
      continue;
    }
    const [set, files] = lookup.value;
    const group = groups.get(set.root) ?? { set, targets: new Set<string>() };
    groups.set(set.root, group);
    for (const f of files) group.targets.add(f.absPath);
  }
  return { groups, skipped };
}

/** How `lint` reads the migration sets of these paths (`pgphase lint --list`). */
export async function listSets(options: Omit<LintOptions, 'stdin'>): Promise<SetListing[]> {
  const cwd = options.cwd ?? process.cwd();
  const discovery = new Discovery(cwd);
  const { groups } = await targetSets(options, cwd, configs(options, discovery), discovery);
  return [...groups.values()].map((g) => listing(g.set, discovery));
}

export async function lint(options: LintOptions): Promise<LintOutput> {
  const linter = new SetLinter({
    rules: options.rules,
    ...(options.pgVersion !== undefined && { pgVersion: options.pgVersion }),
    ...(options.ruleOverrides && { ruleOverrides: options.ruleOverrides }),
    locks: options.locks ?? true,
    baseChanges: options.baseSchema ?? [],
  });
  const threads = new LintThreads(linter, options.threads);
  try {
    return await lintOn(threads, linter, options);
  } finally {
    // the workers a lint did not take, started while it was finding its sets
    threads.close();
  }
}

async function lintOn(threads: LintThreads, linter: SetLinter, options: LintOptions): Promise<LintOutput> {
  const cwd = options.cwd ?? process.cwd();
  const discovery = new Discovery(cwd);
  const configFor = configs(options, discovery);
  // The WASM parser compiles while the files are found and read (awaited before the first
  // parse); with a cache, only once a set misses it: a run the cache answers never parses.
  if (options.cacheDir === undefined) loadParser().catch(() => undefined);
  const baseChanges = linter.options.baseChanges;
  // with a cache, which sets are linted is known only once they are all found: no thread starts before
  const { groups, skipped } = await targetSets(
    options,
    cwd,
    configFor,
    discovery,
    options.cacheDir === undefined ? threads : undefined,
  );

  const files: FileResult[] = [];
  const sources = new Map<string, string>();
  const linted = new Map<string, MigrationFile[]>();
  const note = (file: MigrationFile, config: Config) =>
    linted.set(file.path, [
      ...(linted.get(file.path) ?? []),
      { ...file, transaction: config.transaction ?? file.transaction },
    ]);
  if (options.stdin) {
    await loadParser();
    const abs = resolve(cwd, options.stdin.filename);
    const { config } = await configFor(dirname(abs));
    const found = await fileInSet(abs, options.layout ?? config.layout, discovery).catch(() => undefined);
    const entries: MigrationFile[] = found
      ? await withText(found.set, found.file, options.stdin.text, discovery)
      : [
          {
            path: options.stdin.filename,
            absPath: abs,
            text: options.stdin.text,
            transaction: 'none',
            layout: 'plain',
            migration: options.stdin.filename,
          },
        ];
    for (const file of entries) {
      sources.set(file.path, overlay(sources.get(file.path), file.text));
      note(file, config);
    }
    // linted as in a run over its directory: after the files before it, which tell the schema
    // and what its own migration created
    const earlier = found
      ? found.set.files.slice(
          0,
          found.set.files.findIndex((f) => f.absPath === abs),
        )
      : [];
    files.push(
      ...linter.set(
        [
          ...earlier.map((file) => ({ file, config, linted: false })),
          ...entries.map((file) => ({ file, config, linted: true })),
        ],
        found !== undefined || options.baseSchema !== undefined,
      ),
    );
  }

  // the cache (and the hashing it loads) only when asked for
  const cache =
    options.cacheDir === undefined
      ? undefined
      : new (await import('./cache.js')).LintCache(resolve(cwd, options.cacheDir));
  const damaged = () =>
    new InputError(`${discovery.display(cache!.file)}: damaged; delete it (the next run with --cache writes it anew)`);
  /** The lines behind the results (the cache's, a worker's, and those the cache keeps), which the
   *  JSON report prints and the summary counts without parsing them. */
  const lines = new FileLines();
  const emittedPhase = emittedPhases(cwd);
  /** Each set's results (from the cache, or after the sets the cache misses are linted), and its cache key. */
  const outcomes: { root: string; results?: FileResult[]; key?: string }[] = [];
  const missed: SetFile[][] = [];
  for (const { set, targets } of groups.values()) {
    const last = Math.max(...set.files.map((f, i) => (targets.has(f.absPath) ? i : -1)));
    const replayed = set.files.slice(0, last + 1);
    const loaded = await Promise.all(replayed.map((file) => configFor(dirname(file.absPath))));
    const order: SetFile[] = [];
    for (let i = 0; i < replayed.length; i++) {
      const file = replayed[i]!;
      const { config, dir } = loaded[i]!;
      const ignored =
        config.ignorePaths.length > 0 && matchesAny(toPosix(relative(dir, file.absPath)), config.ignorePaths);
      const linted = targets.has(file.absPath) && !ignored;
      const recognised = emittedPhase(file, set.root);
      const emitted = recognised && (await recognised);
      order.push({ file, config, linted, ...(emitted && { emitted }) });
    }
    for (const { file, config, linted: lints } of order) {
      if (!lints) continue;
      sources.set(file.path, overlay(sources.get(file.path), file.text));
      note(file, config);
    }
    // the configs of the set once (its files share one or a few), each file naming its own by index
    const configs = [...new Set(order.map((o) => o.config))];
    const key = cache?.key([
      options.rules.map((r) => r.meta.id),
      options.pgVersion ?? null,
      options.ruleOverrides ?? null,
      options.locks ?? true,
      baseChanges,
      configs,
      ...order.flatMap(({ file, config, linted, emitted }) => [
        [file.path, file.transaction, file.migration, linted, emitted?.kind ?? null, configs.indexOf(config)],
        emitted?.replay ?? file.text,
      ]),
    ]);
    const kept = key === undefined ? undefined : cache?.get(set.root, key);
    const results = kept?.map((line) => lines.resultOf(line, damaged));
    outcomes.push({ root: set.root, ...(results && { results }), ...(key !== undefined && { key }) });
    if (!results) missed.push(order);
  }
  const fresh = (await threads.lint(missed, lines)).values();
  for (const outcome of outcomes) {
    const results = outcome.results ?? fresh.next().value!;
    files.push(...results);
    if (outcome.results || outcome.key === undefined) continue;
    cache?.set(
      outcome.root,
      outcome.key,
      results.map((file) => lines.lineOf(file)),
    );
  }
  cache?.save();
  const notLinted = skipped.map((path) => discovery.display(path));
  if (!options.baseline) return { result: summarize(files, lines), sources, linted, lines, skipped: notLinted };
  return {
    ...(await withBaseline(files, sources, options.baseline, cwd, lines)),
    linted,
    lines,
    skipped: notLinted,
  };
}

/** Applies the baseline to the run's results, after writing this run's findings into it when asked. */
async function withBaseline(
  files: FileResult[],
  sources: Map<string, string>,
  baseline: NonNullable<LintOptions['baseline']>,
  cwd: string,
  lines: ReadonlyMap<FileResult, FileLine>,
): Promise<Omit<LintOutput, 'linted' | 'lines' | 'skipped'>> {
  const path = resolve(cwd, baseline.file);
  const shown = new Discovery(cwd).display(path);
  // the common case, no baseline: nothing more to load
  if (!baseline.write && !baseline.required && !existsSync(path)) return { result: summarize(files, lines), sources };
  const { applyBaseline, baselineOf, readBaseline, writeBaseline } = await import('./baseline.js');
  let entries = await readBaseline(path, shown);
  if (entries === undefined && baseline.required && !baseline.write)
    throw new InputError(`${shown}: no such baseline file; write one with \`pgphase lint --write-baseline\``);
  // fingerprints parse the files with findings again; a run the cache answered has not loaded the parser
  if (files.some((f) => f.findings.length > 0)) await loadParser();
  let written: LintOutput['written'];
  if (baseline.write) {
    entries = baselineOf(files, sources, entries ?? [], { path, cwd });
    await writeBaseline(path, entries).catch((error: unknown) => {
      throw new InputError(
        `${shown}: cannot write the baseline (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    });
    written = { file: shown, findings: entries.reduce((n, e) => n + e.count, 0) };
  }
  if (entries === undefined) return { result: summarize(files, lines), sources };
  const applied = applyBaseline(files, sources, entries, { path, shown, cwd });
  return { result: { ...summarize(applied.files), baseline: applied.outcome }, sources, ...(written && { written }) };
}

/** The text of a file that holds several migrations, each entry with the others' lines blanked:
 *  line by line, the entry that has it (a file of one migration is its text). */
function overlay(earlier: string | undefined, text: string): string {
  if (earlier === undefined) return text;
  const lines = text.split('\n');
  return earlier
    .split('\n')
    .map((line, i) => (line.trim() === '' ? (lines[i] ?? line) : line))
    .join('\n');
}
