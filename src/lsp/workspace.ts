// Lints a migration's text as `pgphase lint` lints the file in its directory (its config, its
// layout's transaction model, the earlier migrations replayed), keeping the schema model of
// the migrations before it: an edit re-lints that one file, not the history. A file not
// written yet is linted as the next migration of its directory.
import { existsSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { matchesAny } from '../config/glob.js';
import { ConfigFinder, type LoadedConfig } from '../config/load.js';
import {
  discoverSet,
  Discovery,
  fileInSet,
  withText,
  type LayoutName,
  type MigrationFile,
  type MigrationSet,
} from '../discover/index.js';
import { DETECTION, kindOf, LAYOUT } from '../discover/layouts.js';
import { lintSource, type FileResult } from '../lint/engine.js';
import { mergeUnits } from '../lint/set.js';
import type { Rule, SeveritySetting } from '../lint/rule.js';
import { replay, SchemaModel } from '../schema/model.js';
import { CreatedHere } from '../schema/created.js';
import { loadParser, parseSource, type SourceFile } from '../sql/source.js';

/** What overrides the config, as `pgphase lint --layout --pg-version` do. */
export interface Overrides {
  layout?: LayoutName;
  pgVersion?: number;
}

/** Where lint places a file: its config, and its migration set and entry there. */
export interface Located {
  config: LoadedConfig;
  /** null: in no set (linted on its own); undefined: skipped, as a down migration or a path the
   *  config's `ignorePaths` names. A file not written yet has an entry that is not in `set.files`. */
  found: { set: MigrationSet; file: MigrationFile } | null | undefined;
}

/** One lint of a file: its result, and what hover and code actions read. */
export interface Linted {
  result: FileResult;
  /** The entries of the file (one, or one per changeset it holds) as they were linted, their
   *  transaction model as the config sets it, and each one parsed. */
  entries: MigrationFile[];
  sources: SourceFile[];
  located: Located;
  /** A copy of the schema before the file, for questions about its statements (their locks). */
  schemaBefore(): SchemaModel;
}

/** The schema model before one file's migration: replayed once, copied for each lint. */
interface Prefix {
  /** The files replayed, as read from disk: the prefix holds while they are the same. */
  files: MigrationFile[];
  schema: SchemaModel;
  /** Earlier files of the file's own migration (a migration split over several files), parsed:
   *  what they create is new to the file, so they are replayed after the copy, each lint. */
  sameMigration: SourceFile[];
}

export class Workspace {
  private discovery: Discovery;
  private configs: ConfigFinder;
  private readonly prefixes = new Map<string, Prefix>();
  /** Parsed history files by path and migration, shared by the prefixes of every file of a set
   *  and kept while their text is the same. */
  private readonly parsed = new Map<string, { text: string; source: SourceFile }>();
  private readonly severities = new Map<LoadedConfig['config'], Map<string, SeveritySetting>>();

  constructor(
    private readonly rules: readonly Rule[],
    readonly cwd: string,
  ) {
    this.discovery = new Discovery(cwd);
    this.configs = new ConfigFinder(new Set(rules.map((r) => r.meta.id)), cwd);
  }

  /** Files on disk changed (a save, a checkout, a config edit): read the sets and configs again. */
  invalidate(): void {
    this.discovery = new Discovery(this.cwd);
    this.configs = new ConfigFinder(new Set(this.rules.map((r) => r.meta.id)), this.cwd);
  }

  /** Where lint places the file at `absPath` (with `text`, for a file not written yet). A config
   *  that does not load throws its ConfigError. */
  async locate(absPath: string, text = '', overrides: Overrides = {}): Promise<Located> {
    const config = await this.configs.forDirectory(dirname(absPath));
    const { ignorePaths } = config.config;
    const layout = overrides.layout ?? config.config.layout;
    if (ignorePaths.length > 0 && matchesAny(relative(config.dir, absPath).split(sep).join('/'), ignorePaths))
      return { config, found: undefined };
    if (!existsSync(absPath)) return { config, found: await this.nextMigration(absPath, text, layout) };
    // no migration of a layout: linted on its own, as standard input is
    const found = await fileInSet(absPath, layout, this.discovery).catch(() => null);
    return { config, found };
  }

  /** A file not written yet, as the next migration of the set it would join (Prisma, Diesel and
   *  sqitch keep a history one level above the file's directory, as fileInSet reads them); null
   *  when its name fits none, undefined for a down migration. */
  private async nextMigration(
    absPath: string,
    text: string,
    layout: LayoutName | undefined,
  ): Promise<Located['found']> {
    for (const root of [dirname(dirname(absPath)), dirname(absPath)]) {
      const rel = relative(root, absPath).split(sep).join('/');
      // by the name (and the text, where a layout claims files by it) first: no directory is read for nothing
      if (
        !(layout ? [LAYOUT[layout]] : DETECTION).some(
          (l) => kindOf(l, rel) !== undefined && (!l.claims || l.claims(text)),
        )
      )
        continue;
      const set = await discoverSet(root, layout, this.discovery).catch(() => undefined);
      const kind = set && kindOf(LAYOUT[set.layout], rel);
      if (!set || kind === undefined) continue;
      if (kind !== 'forward') return undefined;
      const file: MigrationFile = {
        path: this.discovery.display(absPath),
        absPath,
        text: '',
        transaction: 'none',
        layout: set.layout,
        migration: '',
      };
      const [entry] = await withText(set, file, text, this.discovery);
      return entry ? { set, file: entry } : null;
    }
    return null;
  }

  /** Lints `text` as the file at `absPath` (on its own when there is none); undefined when lint skips the file. */
  async lint(absPath: string | undefined, text: string, overrides: Overrides = {}): Promise<Linted | undefined> {
    const located: Located =
      absPath === undefined
        ? { config: await this.configs.forDirectory(this.cwd), found: null }
        : await this.locate(absPath, text, overrides);
    const { found } = located;
    const { config } = located.config;
    if (found === undefined) return undefined;
    await loadParser();
    let schema: SchemaModel;
    let created = new CreatedHere();
    let entries: MigrationFile[];
    if (found) {
      const prefix = this.prefix(found.set, found.file);
      schema = prefix.schema.clone();
      for (const earlier of prefix.sameMigration) replay(earlier, schema, created);
      entries = await withText(found.set, found.file, text, this.discovery);
    } else {
      schema = new SchemaModel();
      const path = absPath === undefined ? 'migration.sql' : this.discovery.display(absPath);
      entries = [{ path, absPath: absPath ?? path, text, transaction: 'none', layout: 'plain', migration: path }];
    }
    const before = schema.clone();
    const results: FileResult[] = [];
    const sources: SourceFile[] = [];
    entries = entries.map((entry) => ({ ...entry, transaction: config.transaction ?? entry.transaction }));
    for (const [i, entry] of entries.entries()) {
      if (i > 0 && entries[i - 1]!.migration !== entry.migration) created = new CreatedHere();
      const source = parseSource(entry.path, entry.text);
      sources.push(source);
      results.push(
        lintSource(source, {
          rules: this.rules,
          severities: this.severitiesOf(config),
          pgVersion: overrides.pgVersion ?? config.pgVersion,
          transaction: entry.transaction,
          schema,
          historyKnown: found !== null,
          created,
        }),
      );
    }
    mergeUnits(results, new Map([[entries[0]!.path, text]]));
    return { result: results[0]!, entries, sources, located, schemaBefore: () => before.clone() };
  }

  private severitiesOf(config: LoadedConfig['config']): Map<string, SeveritySetting> {
    let severities = this.severities.get(config);
    if (!severities) this.severities.set(config, (severities = new Map(Object.entries(config.rules))));
    return severities;
  }

  /** The schema before `file`'s migration, replayed from the set's first migration when the files
   *  before it change; the cost of the first lint of a file, not of an edit. */
  private prefix(set: MigrationSet, file: MigrationFile): Prefix {
    const index = set.files.findIndex((f) => f.absPath === file.absPath);
    const at = index === -1 ? set.files.length : index;
    const files = set.files.slice(0, at);
    const known = this.prefixes.get(file.absPath);
    const same = (a: MigrationFile, b: MigrationFile) =>
      a === b || (a.absPath === b.absPath && a.migration === b.migration && a.text === b.text);
    if (known && known.files.length === files.length && known.files.every((f, i) => same(f, files[i]!))) return known;
    let start = at;
    while (start > 0 && set.files[start - 1]!.migration === file.migration) start--;
    const schema = new SchemaModel();
    for (const earlier of set.files.slice(0, start)) replay(this.parse(earlier), schema);
    const prefix = { files, schema, sameMigration: set.files.slice(start, at).map((f) => this.parse(f)) };
    this.prefixes.set(file.absPath, prefix);
    return prefix;
  }

  private parse(file: MigrationFile): SourceFile {
    const key = `${file.absPath}\0${file.migration}`;
    const known = this.parsed.get(key);
    if (known?.text === file.text) return known.source;
    const source = parseSource(file.path, file.text);
    this.parsed.set(key, { text: file.text, source });
    return source;
  }
}
