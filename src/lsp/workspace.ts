// Lints an open migration file as `pgphase lint` lints it in its directory (its config, its
// layout's transaction model, the earlier migrations replayed), keeping the schema model of
// the migrations before it: an edit re-lints that one file, not the history.
import { dirname, relative, sep } from 'node:path';
import { matchesAny } from '../config/glob.js';
import { ConfigFinder, type LoadedConfig } from '../config/load.js';
import { Discovery, fileInSet, withText, type MigrationFile, type MigrationSet } from '../discover/index.js';
import { lintSource, type FileResult } from '../lint/engine.js';
import { mergeUnits } from '../lint/lint.js';
import type { Rule, SeveritySetting } from '../lint/rule.js';
import { replay, SchemaModel } from '../schema/model.js';
import { CreatedHere } from '../sql/changes.js';
import { loadParser, parseSource, type SourceFile } from '../sql/source.js';

/** One lint of an open file: its result, and what hover and code actions read. */
export interface Linted {
  result: FileResult;
  /** The parsed entries of the file (one, or one per changeset it holds), as they were linted. */
  sources: SourceFile[];
  /** The file in its migration set; undefined for a file outside any (linted on its own). */
  file?: MigrationFile;
  set?: MigrationSet;
  config: LoadedConfig;
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
  /** Parsed history files by path and migration, shared by the prefixes of every open file of a set
   *  and kept while their text is the same. */
  private readonly parsed = new Map<string, { text: string; source: SourceFile }>();
  private readonly severities = new Map<LoadedConfig['config'], Map<string, SeveritySetting>>();

  constructor(
    private readonly rules: readonly Rule[],
    private readonly cwd: string,
  ) {
    this.discovery = new Discovery(cwd);
    this.configs = new ConfigFinder(new Set(rules.map((r) => r.meta.id)), cwd);
  }

  /** Files on disk changed (a save, a checkout, a config edit): read the sets and configs again. */
  invalidate(): void {
    this.discovery = new Discovery(this.cwd);
    this.configs = new ConfigFinder(new Set(this.rules.map((r) => r.meta.id)), this.cwd);
  }

  /** Lints `text` as the file at `absPath`; undefined when lint skips the file (a down migration,
   *  a path the config's `ignorePaths` names). A config error is thrown (a ConfigError). */
  async lint(absPath: string, text: string): Promise<Linted | undefined> {
    const loaded = await this.configs.forDirectory(dirname(absPath));
    const { config, dir } = loaded;
    if (config.ignorePaths.length > 0 && matchesAny(relative(dir, absPath).split(sep).join('/'), config.ignorePaths)) return undefined;
    // a file not on disk yet, or no migration of a layout, is linted on its own, as standard input is
    const found = await fileInSet(absPath, config.layout, this.discovery).catch(() => null);
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
      entries = [{ path: this.discovery.display(absPath), absPath, text, transaction: 'none', layout: 'plain', migration: absPath }];
    }
    const before = schema.clone();
    const results: FileResult[] = [];
    const sources: SourceFile[] = [];
    for (const [i, entry] of entries.entries()) {
      if (i > 0 && entries[i - 1]!.migration !== entry.migration) created = new CreatedHere();
      const source = parseSource(entry.path, entry.text);
      sources.push(source);
      results.push(
        lintSource(source, {
          rules: this.rules,
          severities: this.severitiesOf(config),
          pgVersion: config.pgVersion,
          transaction: config.transaction ?? entry.transaction,
          schema,
          historyKnown: found !== null,
          created,
        }),
      );
    }
    mergeUnits(results, 0, new Map([[entries[0]!.path, text]]));
    return { result: results[0]!, sources, config: loaded, ...(found && { file: found.file, set: found.set }), schemaBefore: () => before.clone() };
  }

  private severitiesOf(config: LoadedConfig['config']): Map<string, SeveritySetting> {
    let severities = this.severities.get(config);
    if (!severities) this.severities.set(config, (severities = new Map(Object.entries(config.rules))));
    return severities;
  }

  /** The schema before `file`'s migration, replayed from the set's first migration once per
   *  reading of the set; the cost of the first lint of a file, not of an edit. */
  private prefix(set: MigrationSet, file: MigrationFile): Prefix {
    const at = set.files.findIndex((f) => f.absPath === file.absPath);
    const files = set.files.slice(0, at);
    const known = this.prefixes.get(file.absPath);
    const same = (a: MigrationFile, b: MigrationFile) => a === b || (a.absPath === b.absPath && a.migration === b.migration && a.text === b.text);
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
