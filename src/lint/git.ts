// The migration files a commit or a pull request touches, from git.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';

function git(args: string[], cwd: string): string {
  // loaded when git runs: most lints never do
  const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new InputError(`git ${args.join(' ')}: ${stderr || (error as Error).message}`);
  }
}

/** The repository's top directory: asked first, so that outside a repository git says so (a
 *  `git diff` there compares files outside git, and refuses `--cached` as an unknown option). */
function topLevel(cwd: string): string {
  return git(['rev-parse', '--show-toplevel'], cwd).trim();
}

function absolute(output: string, top: string): string[] {
  return output
    .split('\0')
    .filter(Boolean)
    .map((p) => resolve(top, p));
}

/** Files added, copied, modified or renamed in the index (for a pre-commit hook). */
export function stagedFiles(cwd: string): string[] {
  const top = topLevel(cwd);
  return absolute(git(['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z'], cwd), top);
}

/** Files added or changed since the merge base of `ref` and HEAD, including uncommitted ones (for CI). */
export function changedSince(ref: string, cwd: string): string[] {
  const top = topLevel(cwd);
  const base = git(['merge-base', ref, 'HEAD'], cwd).trim();
  return absolute(git(['diff', '--name-only', '--diff-filter=ACMR', '-z', base], cwd), top);
}
