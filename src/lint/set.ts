// Lints one migration set: replays its files in order into the schema model, linting the
// targets. The same code runs in `lint()`'s thread and in its worker threads (lint-worker.ts).
import type { LoadedConfig } from '../config/load.js';
import type { MigrationFile } from '../discover/index.js';
import { headLines } from '../discover/layouts.js';
import { parseDuration } from '../duration.js';
import { CreatedHere } from '../schema/created.js';
import { replay, schemaFrom, type SchemaModel } from '../schema/model.js';
import { strongest, type Change } from '../sql/changes.js';
import { parseSources, type SourceFile } from '../sql/source.js';
import type { EmittedPhase } from '../plan/emit/recognise.js';
import { lintSource, type FileResult } from './engine.js';
import type { Finding, Rule, SeveritySetting } from './rule.js';

export type Config = LoadedConfig['config'];

/** A file of a migration set, in the order its tool applies them. */
export interface SetFile {
  file: MigrationFile;
  config: Config;
  /** Linted, not only replayed: a target of the run that its config does not ignore. */
  linted: boolean;
  /** A phase of a plan: replayed as the change it stands for, not judged again. */
  emitted?: EmittedPhase;
}

export interface SetOptions {
  rules: readonly Rule[];
  pgVersion?: number;
  ruleOverrides?: Record<string, SeveritySetting>;
  locks: boolean;
  baseChanges: readonly Change[];
}

/** The rules an emitted migration is judged by: its statements are its plan's steps. */
const NO_RULES: readonly Rule[] = [];

export class SetLinter {
  /** One severity map per config, so that the engine prepares the rules once per config. */
  private readonly severitiesOf = new Map<Config, Map<string, SeveritySetting>>();

  constructor(readonly options: SetOptions) {}

  /** Lints one file of a set against `schema`, which it advances. */
  private file(
    source: SourceFile,
    file: MigrationFile,
    config: Config,
    schema: SchemaModel,
    historyKnown: boolean,
    created: CreatedHere,
    emitted: boolean,
  ): FileResult {
    let severities = this.severitiesOf.get(config);
    if (!severities) {
      severities = new Map(Object.entries({ ...config.rules, ...this.options.ruleOverrides }));
      this.severitiesOf.set(config, severities);
    }
    return lintSource(source, {
      rules: emitted ? NO_RULES : this.options.rules,
      severities,
      pgVersion: this.options.pgVersion ?? config.pgVersion,
      transaction: config.transaction ?? file.transaction,
      maxLockTimeout: parseDuration(config.maxLockTimeout)!,
      locks: this.options.locks,
      schema,
      historyKnown,
      created,
    });
  }

  /** The results of a set's linted files, one per file, the set replayed from its first migration.
   *  `historyKnown`: the files hold the whole history (not so for a file linted alone). */
  set(files: readonly SetFile[], historyKnown = true): FileResult[] {
    const results: FileResult[] = [];
    const schema = schemaFrom(this.options.baseChanges);
    // what the files of one migration create is new to its later files (no traffic, no rows)
    let created = new CreatedHere();
    // the text of each linted file's first migration, whose head the file's migrations (Liquibase
    // changesets, each with the others blanked) share: they are merged into one result
    const texts = new Map<string, string>();
    let i = 0;
    // an emitted migration is its plan's phase: replayed as the change it stands for, not judged again
    // (for…of: a failure in the loop ends the parses ahead, which frees them)
    for (const source of parseSources(
      files.map(({ file, emitted }) => ({ path: file.path, text: emitted?.replay ?? file.text })),
    )) {
      const { file, config, linted, emitted } = files[i]!;
      if (i > 0 && files[i - 1]!.file.migration !== file.migration) created = new CreatedHere();
      i++;
      if (linted) {
        results.push(this.file(source, file, config, schema, historyKnown, created, emitted !== undefined));
        if (!texts.has(file.path)) texts.set(file.path, file.text);
      } else replay(source, schema, created);
    }
    mergeUnits(results, texts);
    return results;
  }
}

/** One result per file: the migrations of a file that holds several (Liquibase changesets) were
 *  linted one by one, each with the file's head (`texts`: a text of the file by path, its head the
 *  lines before its first changeset); their statements are numbered through the file. */
export function mergeUnits(files: FileResult[], texts: ReadonlyMap<string, string>): void {
  for (let i = 0; i < files.length; i++) {
    let end = i + 1;
    while (end < files.length && files[end]!.path === files[i]!.path) end++;
    if (end - i > 1) files.splice(i, end - i, merged(files.slice(i, end), headLines(texts.get(files[i]!.path) ?? '')));
  }
}

/** A finding about the shared head (its first `head` lines) is reported once, and an ignore
 *  comment there is unused only when no part used it; one inside a changeset only its part sees. */
function merged(parts: FileResult[], head: number): FileResult {
  const key = (f: Finding) => `${f.rule}\0${f.location.line}:${f.location.column}\0${f.message}`;
  const times = new Map<string, number>();
  for (const part of parts) for (const f of part.findings) times.set(key(f), (times.get(key(f)) ?? 0) + 1);
  const seen = new Set<string>();
  const findings = parts
    .flatMap((part) => part.findings)
    .filter(
      (f) =>
        !seen.has(key(f)) &&
        seen.add(key(f)) &&
        (f.rule !== 'unused-ignore' || f.location.line > head || times.get(key(f)) === parts.length),
    )
    .sort(
      (a, b) =>
        a.location.line - b.location.line ||
        a.location.column - b.location.column ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    );
  let offset = 0;
  const statements = parts.flatMap((part) => {
    const numbered = part.statements.map((st) => ({ ...st, index: st.index + offset }));
    offset += part.statements.length;
    return numbered;
  });
  return { path: parts[0]!.path, class: strongest(parts.map((p) => p.class)), statements, findings };
}
