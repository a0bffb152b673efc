// Lints one migration set: replays its files in order into the schema model, linting the
// targets. The same code runs in `lint()`'s thread and in its worker threads (lint-worker.ts).
import type { LoadedConfig } from '../config/load.js';
import type { MigrationFile } from '../discover/index.js';
import { parseDuration } from '../duration.js';
import { CreatedHere } from '../schema/created.js';
import { replay, schemaFrom, type SchemaModel } from '../schema/model.js';
import type { Change } from '../sql/changes.js';
import { parseSource } from '../sql/source.js';
import type { EmittedPhase } from '../plan/emit/recognise.js';
import { lintSource, type FileResult } from './engine.js';
import type { Rule, SeveritySetting } from './rule.js';

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

  /** Lints one file against `schema`, which it advances. */
  file(
    file: MigrationFile,
    config: Config,
    schema: SchemaModel,
    historyKnown: boolean,
    created?: CreatedHere,
    emitted = false,
  ): FileResult {
    let severities = this.severitiesOf.get(config);
    if (!severities) {
      severities = new Map(Object.entries({ ...config.rules, ...this.options.ruleOverrides }));
      this.severitiesOf.set(config, severities);
    }
    return lintSource(parseSource(file.path, file.text), {
      rules: emitted ? NO_RULES : this.options.rules,
      severities,
      pgVersion: this.options.pgVersion ?? config.pgVersion,
      transaction: config.transaction ?? file.transaction,
      maxLockTimeout: parseDuration(config.maxLockTimeout)!,
      locks: this.options.locks,
      schema,
      historyKnown,
      ...(created && { created }),
    });
  }

  /** The results of a set's linted files, the set replayed from its first migration.
   *  `historyKnown`: the files hold the whole history (not so for a file linted alone). */
  set(files: readonly SetFile[], historyKnown = true): FileResult[] {
    const results: FileResult[] = [];
    const schema = schemaFrom(this.options.baseChanges);
    // what the files of one migration create is new to its later files (no traffic, no rows)
    let created = new CreatedHere();
    for (const [i, { file, config, linted, emitted }] of files.entries()) {
      if (i > 0 && files[i - 1]!.file.migration !== file.migration) created = new CreatedHere();
      // an emitted migration is its plan's phase: replayed as the change it stands for, not judged again
      const text = emitted?.replay ?? file.text;
      if (linted)
        results.push(this.file({ ...file, text }, config, schema, historyKnown, created, emitted !== undefined));
      else replay(parseSource(file.path, text), schema, created);
    }
    return results;
  }
}
