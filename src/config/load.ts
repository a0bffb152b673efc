// Finds and validates configuration: `pgphase.config.json`, `.pgphaserc.json` or the
// `pgphase` key of `package.json`, searched upward from each linted file, so the
// services of a monorepo can each have their own. The validator (zod) loads only when a
// config file is found: it is a fifth of a single-file lint's start-up otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_CONFIG } from './defaults.js';
import type { Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined for the built-in defaults. */
  file?: string;
  /** The directory relative paths in the config are resolved against. */
  dir: string;
}

const CANDIDATES = ['pgphase.config.json', '.pgphaserc.json', 'package.json'] as const;

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${where === '(top level)' ? '' : `${where}: `}unknown key ${keys}`;
  }
  return `${where}: ${issue.message}`;
}

/**
 * Validates a config object. `knownRules` guards the `rules` keys: an unknown rule id
 * is an error, since a typo there would silently keep a rule on.
 */
export async function parseConfig(value: unknown, source: string, knownRules: ReadonlySet<string>): Promise<Config> {
  const { configSchema } = await import('./schema.js');
  const result = configSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(`${source}: ${describe(result.error.issues[0]!)}`);
  }
  for (const id of Object.keys(result.data.rules)) {
    if (!knownRules.has(id)) throw new ConfigError(`${source}: rules.${id}: unknown rule (see \`pgphase rules\`)`);
  }
  return result.data;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read config (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: invalid JSON: ${(error as Error).message}`);
  }
}

/** Loads one config file given by path (`--config`). */
export async function loadConfigFile(file: string, knownRules: ReadonlySet<string>): Promise<LoadedConfig> {
  const path = resolve(file);
  const json = readJson(path);
  const value = path.endsWith('package.json') ? ((json as { pgphase?: unknown }).pgphase ?? {}) : json;
  return { config: await parseConfig(value, file, knownRules), file: path, dir: dirname(path) };
}

/** Finds configs upward from directories, caching per directory. */
export class ConfigFinder {
  private readonly cache = new Map<string, Promise<LoadedConfig>>();

  /** `listed` gives the names a directory holds when the caller has listed it already
   *  (the files of a migration history): no file system lookup is made for it then. */
  constructor(
    private readonly knownRules: ReadonlySet<string>,
    private readonly fallbackDir = process.cwd(),
    private readonly listed: (dir: string) => ReadonlySet<string> | undefined = () => undefined,
  ) {}

  /** The config governing `dir` (the nearest one upward), or the defaults. Cached under `dir`
   *  as given too: the files of a history ask for the same directory, and resolving it for each is a cost. */
  forDirectory(dir: string): Promise<LoadedConfig> {
    let found = this.cache.get(dir);
    if (found) return found;
    // a directory the caller listed is named as it listed it, absolute and normalized already
    const names = this.listed(dir);
    const start = names ? dir : resolve(dir);
    found = this.cache.get(start);
    if (!found) {
      found = this.search(start, names ?? this.listed(start));
      this.cache.set(start, found);
    }
    this.cache.set(dir, found);
    return found;
  }

  /** The config of `dir` (absolute), whose `names` the caller listed: a listed directory that holds
   *  none of the candidates' names has its parent's, the same promise (a Prisma history lists a
   *  directory per migration). */
  private search(dir: string, names: ReadonlySet<string> | undefined): Promise<LoadedConfig> {
    if (names && !CANDIDATES.some((name) => names.has(name))) return this.parentOf(dir);
    return this.read(dir, names);
  }

  private parentOf(dir: string): Promise<LoadedConfig> {
    const parent = dirname(dir);
    return parent === dir
      ? Promise.resolve({ config: DEFAULT_CONFIG, dir: this.fallbackDir })
      : this.forDirectory(parent);
  }

  private async read(dir: string, names: ReadonlySet<string> | undefined): Promise<LoadedConfig> {
    for (const name of CANDIDATES) {
      if (names && !names.has(name)) continue;
      const file = join(dir, name);
      if (!names && !existsSync(file)) continue;
      if (name === 'package.json') {
        const pkg = readJson(file) as { pgphase?: unknown };
        if (pkg.pgphase === undefined) continue;
        return { config: await parseConfig(pkg.pgphase, `${file}#pgphase`, this.knownRules), file, dir };
      }
      return loadConfigFile(file, this.knownRules);
    }
    return this.parentOf(dir);
  }
}
