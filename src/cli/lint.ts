// `pgphase lint [paths…]`
import { Command, Option } from 'commander';
import { changedSince, docsBaseUrl, type FormatName, formatResult, FORMATS, isForwardMigration, lint, rules, type SeveritySetting, stagedFiles, UsageError, version } from '../index.js';
import type { Io } from './main.js';


interface LintFlags {
  format?: FormatName;
  config?: string;
  pgVersion?: string;
  rule: string[];
  staged?: boolean;
  changedSince?: string;
  schema?: string;
  databaseUrl?: string;
  maxWarnings?: string;
  stdinFilename?: string;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

function ruleOverrides(specs: string[]): Record<string, SeveritySetting> {
  const known = new Set(rules.map((r) => r.meta.id));
  const out: Record<string, SeveritySetting> = {};
  for (const spec of specs) {
    const m = /^([a-z0-9-]+)=(off|warning|error)$/.exec(spec);
    if (!m) throw new UsageError(`--rule ${spec}: expected <rule-id>=off|warning|error`);
    if (!known.has(m[1]!)) throw new UsageError(`--rule ${spec}: unknown rule "${m[1]}" (see \`pgphase rules\`)`);
    out[m[1]!] = m[2] as SeveritySetting;
  }
  return out;
}

function useColor(io: Io): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined) return io.env.FORCE_COLOR !== '0';
  return io.isTTY;
}

export function lintCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('lint')
    .description('lint migration files and directories')
    .argument('[paths...]', 'files or migration directories (default: `migrations` from the config)')
    .addOption(new Option('--format <format>', 'output format (default: pretty; github when GITHUB_ACTIONS=true)').choices(FORMATS))
    .option('--config <file>', 'config file (default: searched upward from each linted file)')
    .option('--pg-version <n>', 'target PostgreSQL major version')
    .option('--rule <id=level>', 'set a rule to off, warning or error (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--staged', 'only migration files staged in git (pre-commit)')
    .option('--changed-since <ref>', 'only migration files added or changed since a git ref (CI)')
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the starting schema')
    .option('--database-url <url>', 'read the starting schema from a live database (read-only)')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this')
    .option('--stdin-filename <name>', 'lint SQL from standard input as if it were this file')
    .action(async (paths: string[], flags: LintFlags) => {
      if ([flags.staged, flags.changedSince, flags.stdinFilename].filter((f) => f !== undefined).length > 1) {
        throw new UsageError('--staged, --changed-since and --stdin-filename cannot be combined');
      }
      const pgVersion = flags.pgVersion === undefined ? undefined : wholeNumber('--pg-version', flags.pgVersion, 11, 18);
      const maxWarnings = flags.maxWarnings === undefined ? undefined : wholeNumber('--max-warnings', flags.maxWarnings, 0, Number.MAX_SAFE_INTEGER);
      const overrides = ruleOverrides(flags.rule);

      let targets = paths;
      if (flags.staged || flags.changedSince !== undefined) {
        const changed = flags.staged ? stagedFiles(io.cwd) : changedSince(flags.changedSince!, io.cwd);
        targets = changed.filter(isForwardMigration);
        if (targets.length === 0) {
          io.stderr('pgphase: no migration files to lint\n');
          return;
        }
      }
      const stdin = flags.stdinFilename === undefined ? undefined : { filename: flags.stdinFilename, text: await io.stdin() };

      const { result, sources } = await lint({
        paths: targets,
        cwd: io.cwd,
        ...(flags.config !== undefined && { configFile: flags.config }),
        ...(pgVersion !== undefined && { pgVersion }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
        ...(stdin && { stdin }),
        ruleOverrides: overrides,
      });
      const format: FormatName = flags.format ?? (io.env.GITHUB_ACTIONS === 'true' ? 'github' : 'pretty');
      const text = formatResult(result, format, { color: useColor(io), rules: rules.map((r) => r.meta), sources, version, docsBaseUrl });
      io.stdout(text);
      const tooManyWarnings = maxWarnings !== undefined && result.summary.warnings > maxWarnings;
      setExit(result.summary.errors > 0 || tooManyWarnings ? 1 : 0);
    });
}
