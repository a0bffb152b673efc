#!/usr/bin/env node
// Extracts the public migration histories listed in bench/corpus.json, at their pinned
// commits, from local git mirrors into the cache that benches and the differential read.
// It never reaches the network: a history whose mirror is missing is reported and skipped.
//   PGPHASE_MIRRORS   where mirrors are: <dir>/<owner>+<name>/repo (default /work/.mirror)
//   PGPHASE_HISTORIES the cache (default bench/.histories); each history lands in <cache>/<name>/
// Usage: node scripts/corpus.mjs [name …]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST = join(ROOT, 'bench', 'corpus.json');
export const HISTORIES = process.env.PGPHASE_HISTORIES ?? join(ROOT, 'bench', '.histories');
const MIRRORS = process.env.PGPHASE_MIRRORS ?? '/work/.mirror';

/** The histories of bench/corpus.json; `dir` is where the cache holds each one. */
export function histories() {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')).histories.map((h) => ({ ...h, dir: join(HISTORIES, h.name) }));
}

/** The histories present in the cache at their pinned commit. */
export function cachedHistories() {
  return histories().filter(
    (h) => existsSync(join(h.dir, '.commit')) && readFileSync(join(h.dir, '.commit'), 'utf8').trim() === h.commit,
  );
}

function extract(history) {
  const gitDir = join(MIRRORS, history.repo.replace('/', '+'), 'repo');
  if (!existsSync(gitDir)) return `missing: no mirror at ${gitDir} (fetch github:${history.repo})`;
  try {
    execFileSync('git', ['--git-dir', gitDir, 'cat-file', '-e', `${history.commit}^{commit}`], { stdio: 'ignore' });
  } catch {
    return `missing: ${history.repo} has no commit ${history.commit} (fetch it again)`;
  }
  const tmp = `${history.dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const depth = history.path.split('/').length;
  const archive = execFileSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', history.commit, history.path], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  execFileSync('tar', ['-x', '-C', tmp, `--strip-components=${depth}`], { input: archive });
  writeFileSync(join(tmp, '.commit'), `${history.commit}\n`);
  rmSync(history.dir, { recursive: true, force: true });
  renameSync(tmp, history.dir);
  return 'extracted';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const cached = new Set(cachedHistories().map((h) => h.name));
  mkdirSync(HISTORIES, { recursive: true });
  for (const history of histories()) {
    if (only.length && !only.includes(history.name)) continue;
    const status = cached.has(history.name) ? 'cached' : extract(history);
    console.log(`${history.name.padEnd(14)} ${history.layout.padEnd(15)} ${status}`);
  }
}
