// `lint()`: files and directories in, a LintResult out. Groups the targets by their
// migration set, replays each set's earlier migrations into the schema model, and lints
// the targets in the order the migration tool applies them.
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { matchesAny } from '../config/glob.js';
import { ConfigFinder, loadConfigFile, type LoadedConfig } from '../config/load.js';
import { LintCache } from './cache.js';
import { discoverSet, Discovery, fileInSet, withText, type MigrationFile, type MigrationSet } from '../discover/index.js';
import { InputError } from '../errors.js';
import type { Change } from '../sql/changes.js';
import { loadParser, parseSource } from '../sql/source.js';
import { replay, schemaFrom } from '../schema/model.js';
import { lintSource, type FileResult } from './engine.js';
import { summarize, type LintResult } from './result.js';
import type { Rule, SeveritySetting } from './rule.js';

export interface LintOptions {
  /** Files and directories; when empty, the config's `migrations`. */
  paths: string[];
  rules: readonly Rule[];
  cwd?: string;
  /** An explicit config file (`--config`) instead of searching upward. */
  configFile?: string;
  /** Overrides the config's `pgVersion`. */
  pgVersion?: number;
  /** Severity overrides (`--rule id=level`), over the config's. */
  ruleOverrides?: Record<string, SeveritySetting>;
  /** The starting schema (a schema dump or a live catalog, as changes); empty when not given. */
  baseSchema?: readonly Change[];
  /** SQL from standard input, linted as if it were this file. */
  stdin?: { filename: string; text: string };
  /** Keep results in this directory and reuse them while nothing they depend on changes
   *  (`--cache`). Keyed by rule id: rules other than pgphase's must change id when they change. */
  cacheDir?: string;
}

export interface LintOutput {
  result: LintResult;
  /** Source text per reported path, for code frames. */
  sources: Map<string, string>;
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

export async function lint(options: LintOptions): Promise<LintOutput> {
  const cwd = options.cwd ?? process.cwd();
  const known = new Set(options.rules.map((r) => r.meta.id));
  const finder = new ConfigFinder(known, cwd);
  const explicit = options.configFile ? await loadConfigFile(resolve(cwd, options.configFile), known) : undefined;
  const configFor = async (dir: string): Promise<LoadedConfig> => explicit ?? finder.forDirectory(dir);
  // The WASM parser compiles while the files are found and read (awaited before the first
  // parse); with a cache, only once a set misses it: a run the cache answers never parses.
  if (options.cacheDir === undefined) loadParser().catch(() => undefined);
  const baseChanges = options.baseSchema ?? [];

  const groups = new Map<string, Group>();
  const add = (set: MigrationSet, files: MigrationFile[]) => {
    const group = groups.get(set.root) ?? { set, targets: new Set<string>() };
    groups.set(set.root, group);
    for (const f of files) group.targets.add(f.absPath);
  };

  let paths = options.paths;
  if (paths.length === 0 && !options.stdin) {
    const { config, dir } = await configFor(cwd);
    const configured = config.migrations === undefined ? [] : [config.migrations].flat();
    if (configured.length === 0) throw new InputError('no paths given and no `migrations` in the config: run `pgphase lint <dir-or-file>`');
    paths = configured.map((p) => resolve(dir, p));
  }

  // Look up every path at once (their reads overlap; each directory is read once however
  // many of its files are named), then group them in the order given.
  const discovery = new Discovery(cwd);
  const lookups = await Promise.allSettled(
    paths.map(async (path): Promise<[MigrationSet, MigrationFile[]] | undefined> => {
      const abs = resolve(cwd, path);
      if ((await kind(abs)) === 'dir') {
        const set = await discoverSet(abs, (await configFor(abs)).config.layout, discovery);
        return [set, set.files];
      }
      const found = await fileInSet(abs, (await configFor(dirname(abs))).config.layout, discovery);
      return found && [found.set, [found.file]];
    }),
  );
  for (const lookup of lookups) {
    if (lookup.status === 'rejected') throw lookup.reason;
    if (lookup.value) add(...lookup.value);
  }

  const files: FileResult[] = [];
  const sources = new Map<string, string>();
  // one severity map per config, so that the engine prepares the rules once per config
  const severitiesOf = new Map<LoadedConfig['config'], Map<string, SeveritySetting>>();
  const lintOne = (file: MigrationFile, config: LoadedConfig['config'], schema: ReturnType<typeof schemaFrom>, historyKnown: boolean) => {
    let severities = severitiesOf.get(config);
    if (!severities) {
      severities = new Map<string, SeveritySetting>(Object.entries({ ...config.rules, ...options.ruleOverrides }));
      severitiesOf.set(config, severities);
    }
    const source = parseSource(file.path, file.text);
    files.push(
      lintSource(source, {
        rules: options.rules,
        severities,
        pgVersion: options.pgVersion ?? config.pgVersion,
        transaction: config.transaction ?? file.transaction,
        schema,
        historyKnown,
      }),
    );
  };

  if (options.stdin) {
    await loadParser();
    const abs = resolve(cwd, options.stdin.filename);
    const { config } = await configFor(dirname(abs));
    const found = await fileInSet(abs, config.layout, discovery).catch(() => undefined);
    const schema = schemaFrom(baseChanges);
    const history = found?.set.files ?? [];
    for (const earlier of history) {
      if (earlier.absPath === abs) break;
      replay(parseSource(earlier.path, earlier.text), schema);
    }
    const file: MigrationFile = found
      ? await withText(found.set, found.file, options.stdin.text, discovery)
      : { path: options.stdin.filename, absPath: abs, text: options.stdin.text, transaction: 'none', layout: 'plain' };
    sources.set(file.path, file.text);
    lintOne(file, config, schema, found !== undefined || options.baseSchema !== undefined);
  }

  const cache = options.cacheDir === undefined ? undefined : new LintCache(resolve(cwd, options.cacheDir));
  for (const { set, targets } of groups.values()) {
    const last = Math.max(...set.files.map((f, i) => (targets.has(f.absPath) ? i : -1)));
    const order = await Promise.all(
      set.files.slice(0, last + 1).map(async (file) => {
        const { config, dir } = await configFor(dirname(file.absPath));
        const linted = targets.has(file.absPath) && !matchesAny(toPosix(relative(dir, file.absPath)), config.ignorePaths);
        return { file, config, linted };
      }),
    );
    for (const { file, linted } of order) if (linted) sources.set(file.path, file.text);
    const key =
      cache &&
      LintCache.key([
        options.rules.map((r) => r.meta.id),
        options.pgVersion ?? null,
        options.ruleOverrides ?? null,
        baseChanges,
        ...order.flatMap(({ file, config, linted }) => [[file.path, file.transaction, linted, config], file.text]),
      ]);
    const cached = key === undefined ? undefined : cache?.get(set.root, key);
    if (cached) {
      files.push(...cached);
      continue;
    }
    await loadParser();
    const before = files.length;
    const schema = schemaFrom(baseChanges);
    for (const { file, config, linted } of order) {
      // each set is replayed from its first migration
      if (linted) lintOne(file, config, schema, true);
      else replay(parseSource(file.path, file.text), schema);
    }
    if (key !== undefined) cache?.set(set.root, key, files.slice(before));
  }
  cache?.save();
  return { result: summarize(files), sources };
}
