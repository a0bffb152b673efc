// Runs the built CLI (`bin/pgphase.cjs`) as a user would, in a child process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const BIN = resolve('bin/pgphase.cjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI. A `plan` skips its proof unless the test passes `--prove` or `--shadow-url`: each
 * proof starts a PostgreSQL of its own (test/differential and test/cli/prove.test.ts prove plans).
 */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): CliRun {
  if (args[0] === 'plan' && !args.some((a) => a === '--prove' || a === '--no-prove' || a.startsWith('--shadow-url')))
    args = [...args, '--no-prove'];
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    GITHUB_ACTIONS: undefined,
    FORCE_COLOR: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: env as NodeJS.ProcessEnv,
    input: options.input ?? '',
    encoding: 'utf8',
    // a report of many findings is larger than spawnSync's default of 1 MB
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory holding the given files (path → content). */
export function tempTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pgphase-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
