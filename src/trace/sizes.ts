// Lint with the sizes of the user's tables (`--stats-from`): the findings about a step that
// holds a lock while it rewrites, scans or builds an index say how long it would block, and
// those under `maxLockMs` become warnings. Without sizes lint is unchanged.
import { dirname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { ConfigFinder, loadConfigFile } from '../config/load.js';
import type { LintOutput } from '../lint/lint.js';
import type { Rule } from '../lint/rule.js';
import { DEFAULT_MAX_LOCK_MS, DEFAULT_THROUGHPUT, sizeResult } from './duration.js';
import { readStats } from './stats.js';
import { lockRecorder } from './static.js';

/** `maxLockMs` of the given config file, else of the config found upward from `path` (a file or directory), else the default. */
export async function maxLockMsFor(
  rules: readonly Rule[],
  cwd: string,
  path: string | undefined,
  configFile?: string,
): Promise<number> {
  const known = new Set(rules.map((r) => r.meta.id));
  const at = resolve(cwd, path ?? '.');
  const dir = existsSync(at) && statSync(at).isDirectory() ? at : dirname(at);
  const { config } =
    configFile !== undefined
      ? await loadConfigFile(resolve(cwd, configFile), known)
      : await new ConfigFinder(known, cwd).forDirectory(dir);
  return config.maxLockMs ?? DEFAULT_MAX_LOCK_MS;
}

export interface SizeLintOptions {
  statsFrom: string;
  maxLockMs?: number;
  cwd: string;
  /** The first path linted, where the config is looked for. */
  path?: string;
  configFile?: string;
}

/** Runs `lint` with a rule recording each statement's locks, then sizes its findings. */
export async function lintWithSizes(
  lint: (rules: readonly Rule[]) => Promise<LintOutput>,
  rules: readonly Rule[],
  options: SizeLintOptions,
): Promise<LintOutput> {
  const stats = await readStats(options.statsFrom, options.cwd);
  const maxLockMs = options.maxLockMs ?? (await maxLockMsFor(rules, options.cwd, options.path, options.configFile));
  const recorder = lockRecorder();
  const output = await lint([...rules, recorder.rule]);
  return {
    ...output,
    result: sizeResult(output.result, recorder.statements, { stats, throughput: DEFAULT_THROUGHPUT, maxLockMs }),
  };
}
