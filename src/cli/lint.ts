// `pgphase lint [paths…]`
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { LAYOUTS, type LayoutName } from '../discover/names.js';
import type { FormatName, Rule, SeveritySetting } from '../index.js';
import { FORMATS } from '../report/formats.js';
import type { Io } from './io.js';

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
  cache?: string | true;
  threads?: string;
  layout?: LayoutName;
  list?: boolean;
  baseline?: string;
  writeBaseline?: boolean;
  fix?: boolean;
  fixDryRun?: boolean;
  queries: string[];
  queriesFromUrl?: string;
  statsFrom?: string;
  maxLockMs?: string;
}

const CACHE_DIR = '.pgphase-cache';
const BASELINE = '.pgphase-baseline.json';

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

function ruleOverrides(specs: string[], rules: readonly Rule[]): Record<string, SeveritySetting> {
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

export function useColor(io: Io): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined) return io.env.FORCE_COLOR !== '0';
  return io.isTTY;
}

export function lintCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('lint')
    .description('lint migration files and directories')
    .argument('[paths...]', 'files or migration directories (default: `migrations` from the config)')
    .addOption(
      new Option('--format <format>', 'output format (default: pretty; github when GITHUB_ACTIONS=true)').choices(
        FORMATS,
      ),
    )
    .option('--config <file>', 'config file (default: searched upward from each linted file)')
    .option('--pg-version <n>', 'target PostgreSQL major version')
    .option(
      '--rule <id=level>',
      'set a rule to off, warning or error (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--staged', 'only migration files staged in git (pre-commit)')
    .option('--changed-since <ref>', 'only migration files added or changed since a git ref (CI)')
    .option('--schema <file>', 'a `pg_dump --schema-only` file as the starting schema')
    .option('--database-url <url>', 'read the starting schema from a live database (read-only)')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this')
    .option('--stdin-filename <name>', 'lint SQL from standard input as if it were this file')
    .addOption(
      new Option('--layout <name>', "the migration tool's layout (default: the config's, else detected)").choices(
        LAYOUTS,
      ),
    )
    .option(
      '--list',
      'print how the migrations are read (layout, migrations in order with their transaction, skipped down files) and lint nothing',
    )
    .option(
      '--baseline <file>',
      `findings accepted when pgphase was adopted: reported no more (default: ${BASELINE} when it exists)`,
    )
    .option(
      '--write-baseline',
      'record every current finding in the baseline, keeping those of files not linted now, and report none of them',
    )
    .option(
      '--fix',
      'rewrite what is mechanical and safe in the way the migration tool runs each file, then report what is left',
    )
    .option('--fix-dry-run', 'print the fixes --fix would make as a diff, and change nothing')
    .option(
      '--stats-from <url|file>',
      'table sizes (a database URL, read-only, or a file `pgphase stats` wrote): a rewrite, scan or index build says how long it would block, and one under maxLockMs is a warning',
    )
    .option(
      '--max-lock-ms <n>',
      "with --stats-from: the longest a lock may block and stay a warning (default: the config's maxLockMs, else 1000)",
    )
    .option(
      '--cache [dir]',
      `reuse results while the migrations, config and flags they depend on are unchanged (default dir: ${CACHE_DIR})`,
    )
    .option(
      '--threads <n>',
      "lint up to n migration sets at once, each on a thread (default: the CPUs the process may use, as far as the SQL to lint pays for a thread's start; 1: no worker thread)",
    )
    .option(
      '--queries <source>',
      "the running version's queries (.sql, a pg_stat_statements .csv or .json, a PostgreSQL .log): findings say which they break; repeatable",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option(
      '--queries-from-url <url>',
      "read the running version's queries from pg_stat_statements of this database (read-only)",
    )
    .action(async (paths: string[], flags: LintFlags) => {
      if ([flags.staged, flags.changedSince, flags.stdinFilename].filter((f) => f !== undefined).length > 1) {
        throw new UsageError('--staged, --changed-since and --stdin-filename cannot be combined');
      }
      const pgVersion =
        flags.pgVersion === undefined ? undefined : wholeNumber('--pg-version', flags.pgVersion, 11, 18);
      const threads = flags.threads === undefined ? undefined : wholeNumber('--threads', flags.threads, 1, 256);
      const maxWarnings =
        flags.maxWarnings === undefined
          ? undefined
          : wholeNumber('--max-warnings', flags.maxWarnings, 0, Number.MAX_SAFE_INTEGER);
      const [{ docsBaseUrl, formatList, lint, listMigrations, rules, version }, { reportText }] = await Promise.all([
        import('../index.js'),
        import('../report/index.js'),
      ]);
      const overrides = ruleOverrides(flags.rule, rules);
      const layout = flags.layout === undefined ? {} : { layout: flags.layout };
      if (flags.list) {
        if (flags.staged || flags.changedSince !== undefined || flags.stdinFilename !== undefined)
          throw new UsageError(
            '--list reads directories and files: it cannot be combined with --staged, --changed-since or --stdin-filename',
          );
        io.stdout(
          formatList(
            await listMigrations({
              paths,
              cwd: io.cwd,
              ...layout,
              ...(flags.config !== undefined && { configFile: flags.config }),
            }),
          ),
        );
        return setExit(0);
      }

      const stdin =
        flags.stdinFilename === undefined ? undefined : { filename: flags.stdinFilename, text: await io.stdin() };

      const format: FormatName = flags.format ?? (io.env.GITHUB_ACTIONS === 'true' ? 'github' : 'pretty');
      const options: Parameters<typeof lint>[0] = {
        paths,
        cwd: io.cwd,
        // the markdown report is the one that shows each finding's lock
        locks: format === 'markdown',
        ...(flags.staged && { staged: true }),
        ...(flags.changedSince !== undefined && { changedSince: flags.changedSince }),
        ...(flags.config !== undefined && { configFile: flags.config }),
        ...layout,
        ...(pgVersion !== undefined && { pgVersion }),
        ...(flags.schema !== undefined && { schemaFile: flags.schema }),
        ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
        ...(stdin && { stdin }),
        ...(flags.cache !== undefined && { cacheDir: flags.cache === true ? CACHE_DIR : flags.cache }),
        ...(threads !== undefined && { threads }),
        ...(flags.statsFrom !== undefined && { statsFrom: flags.statsFrom }),
        ...(flags.maxLockMs !== undefined && {
          maxLockMs: (await import('./trace.js')).maxLockMsFlag(flags.maxLockMs)!,
        }),
        baseline: {
          file: flags.baseline ?? BASELINE,
          write: flags.writeBaseline === true,
          required: flags.baseline !== undefined,
        },
        ruleOverrides: overrides,
        ...((flags.queries.length > 0 || flags.queriesFromUrl !== undefined) && {
          queries: {
            files: flags.queries,
            ...(flags.queriesFromUrl !== undefined && { statStatementsUrl: flags.queriesFromUrl }),
          },
        }),
      };
      if (flags.fix || flags.fixDryRun) {
        if (stdin || flags.writeBaseline)
          throw new UsageError(
            '--fix and --fix-dry-run rewrite files: they cannot be combined with --stdin-filename or --write-baseline',
          );
        const { fix, unifiedDiff } = await import('../index.js');
        for (const fixed of await fix(options)) {
          for (const fix of fixed.applied)
            io.stderr(
              `pgphase: ${flags.fix ? 'fixed' : 'would fix'} ${fixed.path}:${fix.lines.join(',')} ${fix.rule}: ${fix.title}\n`,
            );
          for (const u of fixed.unfixed)
            io.stderr(`pgphase: not fixed ${fixed.path}:${u.line} ${u.rule}: ${u.reason}\n`);
          if (flags.fixDryRun) io.stdout(unifiedDiff(fixed.path, fixed.before, fixed.after));
          else if (fixed.after !== fixed.before) writeFileSync(resolve(io.cwd, fixed.path), fixed.after);
        }
        if (flags.fixDryRun) return setExit(0);
      }

      const { result, sources, written, lines, skipped } = await lint(options);
      for (const path of skipped)
        io.stderr(
          `pgphase: ${path}: not linted: its migration tool does not apply it as a migration (\`pgphase lint --list <dir>\` says why: a down migration, say)\n`,
        );
      if (written)
        io.stderr(
          `pgphase: wrote ${written.findings} finding${written.findings === 1 ? '' : 's'} to the baseline ${written.file}; later runs report only new ones\n`,
        );
      const stale = result.baseline?.stale ?? [];
      if (stale.length > 0) {
        const named = stale
          .slice(0, 5)
          .map((e) => `${e.rule} in ${e.file}`)
          .join(', ');
        io.stderr(
          `pgphase: ${stale.length} baseline entr${stale.length === 1 ? 'y matches' : 'ies match'} nothing now (fixed, or the statement changed): ${named}${stale.length > 5 ? ` and ${stale.length - 5} more` : ''}; run \`pgphase lint --write-baseline\` to drop ${stale.length === 1 ? 'it' : 'them'}\n`,
        );
      }
      // still a report (an empty one): CI keeps a valid JSON, SARIF or Code Quality file
      if (result.files.length === 0 && (flags.staged || flags.changedSince !== undefined))
        io.stderr('pgphase: no migration files to lint\n');
      const text = reportText(result, format, {
        color: useColor(io),
        rules: rules.map((r) => r.meta),
        sources,
        version,
        docsBaseUrl,
        lines,
      });
      io.stdout(text);
      const tooManyWarnings = maxWarnings !== undefined && result.summary.warnings > maxWarnings;
      setExit(result.summary.errors > 0 || tooManyWarnings ? 1 : 0);
    });
}
