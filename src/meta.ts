// Where pgphase is installed and which version it is, whether it runs from dist/ or src/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`pgphase: package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export const packageRoot = findRoot();
export const version: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** The installed package as a file URL ending in `/`: rule docs are `rules/<id>.md` below it. */
export const docsBaseUrl = `${pathToFileURL(packageRoot).href}/`;

/** Where a rule's doc page lives in the installed package. */
export function ruleDocPath(id: string): string {
  return join(packageRoot, 'rules', `${id}.md`);
}
