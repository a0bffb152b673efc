// The library API as a program imports it: lint, plan, run, rollback and verify against a
// real database, and the CLI reaching pgphase only through that API.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { lint, plan, rollback, run, UsageError, verify, type PhaseOutcome } from '../src/index.js';
import { tempTree } from './helpers/cli.js';
import { testDatabase } from './helpers/db.js';

const db = await testDatabase();
const c = await db.client();

const SETUP = 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);';
const RENAME = 'ALTER TABLE users RENAME COLUMN name TO full_name;';
/** A reported path without the temporary directory in front. */
const tail = (path: string) => path.split('/').slice(-2).join('/');

describe('library API', () => {
  it('exports lint, plan, run, rollback and verify, and no second way to run a phase', () => {
    for (const name of ['lint', 'plan', 'run', 'rollback', 'verify', 'status'])
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    for (const name of ['runPhase', 'runAll', 'rollbackPhase', 'stagedFiles', 'changedSince'])
      expect(api, name).not.toHaveProperty(name);
  });

  it('lint: files in, findings out; staged files from git, without plan files', async () => {
    const dir = tempTree({ 'm/001.sql': SETUP, 'm/002.sql': RENAME });
    const { result, sources } = await lint({ paths: ['m'], cwd: dir });
    expect(result.files.map((f) => [tail(f.path), f.class, f.findings.map((x) => x.rule)])).toEqual([
      ['m/001.sql', 'additive', []],
      ['m/002.sql', 'destructive', ['missing-lock-timeout', 'rename-column']],
    ]);
    expect(result.summary).toEqual({ files: 2, statements: 2, errors: 2, warnings: 0 });
    expect(sources.get(result.files[1]!.path)).toBe(RENAME);

    const overridden = await lint({
      paths: ['m/002.sql'],
      cwd: dir,
      ruleOverrides: { 'rename-column': 'warning', 'missing-lock-timeout': 'off' },
    });
    expect(overridden.result.summary).toMatchObject({ errors: 0, warnings: 1 });

    execFileSync('git', ['init', '-q'], { cwd: dir });
    await plan({ file: 'm/002.sql', history: 'm', cwd: dir });
    execFileSync('git', ['add', 'm/002.sql', 'm/002'], { cwd: dir });
    expect((await lint({ paths: [], cwd: dir, staged: true })).result.files.map((f) => tail(f.path))).toEqual([
      'm/002.sql',
    ]);
    await expect(lint({ paths: [], cwd: dir, staged: true, changedSince: 'HEAD' })).rejects.toThrow(UsageError);
  });

  it('plan, run, rollback and verify: a rename walked through its phases', async () => {
    await c.query(`${SETUP} INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50) g;`);
    const dir = tempTree({ 'm/001.sql': SETUP, 'm/002_rename.sql': RENAME });
    const planned = await plan({ file: 'm/002_rename.sql', history: 'm', out: 'plans/002_rename', cwd: dir });
    expect(planned.manifest.phases.map((p) => p.name)).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect(planned.dir).toBe(join(dir, 'plans/002_rename'));

    const base = { planDir: 'plans/002_rename', cwd: dir, databaseUrl: db.url };
    // the application of this release needs the expand and the trigger
    const before = await verify({ plansDir: 'plans', cwd: dir, databaseUrl: db.url });
    expect([before.compatible, before.problems.map((p) => p.kind)]).toEqual([false, ['missing']]);

    const stepsOf = (phase: string) => planned.manifest.phases.find((p) => p.name === phase)!.steps.map((st) => st.id);
    const applied = (phase: string) =>
      stepsOf(phase).map((step) => ({ step, outcome: 'applied' as const, ms: expect.any(Number), attempts: 1 }));
    expect(await run({ ...base, phase: 'expand' })).toEqual<PhaseOutcome[]>([
      { phase: 'expand', outcome: 'applied', steps: applied('expand') },
    ]);
    expect(applied('expand').length).toBeGreaterThan(0);
    expect(await run({ ...base, phase: 'expand' })).toEqual<PhaseOutcome[]>([
      { phase: 'expand', outcome: 'already-applied', steps: [] },
    ]);
    await run({ ...base, phase: 'trigger' });
    expect((await verify({ plansDir: 'plans', cwd: dir, databaseUrl: db.url })).compatible).toBe(true);
    await rollback({ ...base, phase: 'trigger' });
    const wouldRun = (phase: string) =>
      stepsOf(phase).map((step) => ({ step, outcome: 'would-run' as const, sql: expect.any(String) }));
    expect(await run({ ...base, phase: 'trigger', dryRun: true })).toEqual<PhaseOutcome[]>([
      { phase: 'trigger', outcome: 'dry-run', steps: wouldRun('trigger') },
    ]);
    // a dry run of every phase goes through them all, each taking the ones before as applied
    const dry = await run({ ...base, all: true, dryRun: true });
    expect(dry.map((o) => [o.phase, o.outcome])).toEqual([
      ['expand', 'already-applied'],
      ['trigger', 'dry-run'],
      ['backfill', 'dry-run'],
      ['contract', 'dry-run'],
    ]);
    // the backfill and the contract's checks are said, not run
    expect(dry[2]!.steps.map((st) => st.step)).toEqual(['backfill']);
    expect(dry[3]!.steps.map((st) => st.step)).toEqual([
      ...planned.manifest.checks.filter((ch) => ch.before === 'contract').map(() => 'check'),
      ...stepsOf('contract'),
    ]);
    expect(await run({ ...base, all: true })).toEqual<PhaseOutcome[]>([
      { phase: 'expand', outcome: 'already-applied', steps: [] },
      { phase: 'trigger', outcome: 'applied', steps: applied('trigger') },
      { phase: 'backfill', outcome: 'applied', steps: applied('backfill') },
      { phase: 'contract', outcome: 'applied', steps: applied('contract') },
    ]);
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM users WHERE full_name = 'user ' || id`);
    expect(rows[0]).toEqual({ n: 50 });
    await expect(rollback({ ...base, phase: 'contract' })).rejects.toThrow(/contract cannot be undone/);
  });

  it('run: exactly one of a phase and `all`, and a known phase', async () => {
    const base = { planDir: 'nowhere', databaseUrl: db.url };
    await expect(run({ ...base, phase: 'expand', all: true })).rejects.toThrow(
      new UsageError('give a phase or --all, not both'),
    );
    await expect(run(base)).rejects.toThrow(/^phase \(none\): expected one of expand, trigger, backfill, contract$/);
    await expect(run({ ...base, phase: 'shrink' as 'expand' })).rejects.toThrow(/^phase shrink: expected one of/);
  });

  it('the CLI reaches pgphase only through this API, and the servers of lsp and mcp, which use it too', () => {
    // index.ts loads the rule registry: a command imports its types, the modules it re-exports
    // values from, and when it runs, index.ts itself, a module index.ts loads the same way, or a
    // server (the language server, the MCP server): front ends over this API, as the CLI is
    const index = readFileSync('src/index.ts', 'utf8');
    const reexported = new Set(
      [...index.matchAll(/^export \{[^}]*\} from '\.\/([^']+)';$/gm)].map((m) => `../${m[1]}`),
    );
    const delegated = new Set([...index.matchAll(/await import\('\.\/([^']+)'\)/g)].map((m) => `../${m[1]}`));
    expect([...delegated]).toEqual(expect.arrayContaining(['../runner/verify.js', '../runner/status.js']));
    const dir = 'src/cli';
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      const imports = [...text.matchAll(/^import (type )?.* from '([^']+)';$/gm)]
        .filter(([, type, from]) => !(type && from === '../index.js'))
        .map((m) => m[2]!);
      const outside = imports.filter(
        (from) => !reexported.has(from) && !from.startsWith('./') && !from.startsWith('node:') && from !== 'commander',
      );
      const loaded = [...text.matchAll(/await import\('([^']+)'\)/g)].map((m) => m[1]!);
      const servers = ['../lsp/server.js', '../mcp/server.js', 'vscode-languageserver/node'];
      const elsewhere = loaded.filter(
        (from) => from !== '../index.js' && !delegated.has(from) && !servers.includes(from) && !from.startsWith('./'),
      );
      expect([file, outside, elsewhere]).toEqual([file, [], []]);
    }
  });
});
