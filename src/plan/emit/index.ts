// `pgphase plan --emit <layout>`: a plan's phases as migrations of the project's own tool,
// in its directory, naming and order, in place of the migration they plan. The plan
// directory stays the source of truth that `pgphase run` applies.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { compareKeys, LAYOUT } from '../../discover/layouts.js';
import type { MigrationSet } from '../../discover/index.js';
import { InputError, UsageError } from '../../errors.js';
import type { Manifest } from '../manifest.js';
import { needsRunner, phaseMigrations } from './phase.js';
import { EMIT_LAYOUTS, TOOLS, type EmitLayout } from './tools.js';

export { EMIT_LAYOUTS, type EmitLayout };

export interface Emitted {
  layout: EmitLayout;
  /** Paths relative to the history's root, in the order the tool applies them, per phase. */
  phases: Array<{ phase: string; files: string[]; kind: 'steps' | 'check' }>;
  /** The replaced migration's files that were removed (relative to the root). */
  removed: string[];
  /** The section the plan's README gets. */
  readme: string;
}

export interface EmitInput {
  layout: EmitLayout;
  set: MigrationSet;
  /** The planned file (absolute). */
  file: string;
  manifest: Manifest;
  /** The plan directory and the history's root as the user names them (relative to the working directory). */
  planRef: string;
  rootRef: string;
  keepOriginal: boolean;
}

const posix = (path: string) => path.split(sep).join('/');

/** The emitted files (relative path → text), checked to sort where the replaced migration was; nothing is written. */
export function emitted(input: EmitInput): { files: Map<string, string>; result: Emitted } {
  const { layout, set, manifest } = input;
  if (!EMIT_LAYOUTS.includes(layout)) throw new UsageError(`--emit ${layout}: expected one of ${[...EMIT_LAYOUTS, 'plan'].join(', ')}`);
  const tool = TOOLS[layout];
  const rel = posix(relative(set.root, input.file));
  const original = set.layout === layout ? tool.parse(rel) : undefined;
  if (!original) throw new InputError(`${input.file}: not a ${tool.title} migration of ${set.root}; pass --emit with the layout of its directory (${set.layout}), or --emit plan`);
  const files = new Map<string, string>();
  // the first takes the replaced migration's version, unless that one is kept
  let k = input.keepOriginal ? 1 : 0;
  const phases: Emitted['phases'] = manifest.phases.map((phase) => {
    const migrations = phaseMigrations(manifest, phase, { tool: layout, model: tool.model, planRef: input.planRef });
    const own = migrations.map((migration, j) => tool.files(tool.stem(tool.version(original.version, k++), original.name, migrations.length > 1 ? `${phase.name}_${j + 1}` : phase.name), migration));
    for (const [path, text] of own.flat()) {
      if (files.has(path) || existsSync(join(set.root, path))) throw new InputError(`${join(set.root, path)}: already exists; the plan's migrations need its name`);
      files.set(path, text);
    }
    return { phase: phase.name, files: own.flat().map(([path]) => path), kind: migrations[0]!.kind };
  });
  // the tool must apply them right where the replaced migration was: after its predecessors, before its successors
  const keyOf = LAYOUT[layout].order({ root: set.root, entries: new Set(), files: [], read: async () => '' }) as (rel: string) => readonly (bigint | string)[];
  const forward = (path: string) => LAYOUT[layout].forward.test(path);
  const firsts = phases.flatMap((p) => p.files.filter(forward));
  const at = set.files.findIndex((f) => f.absPath === input.file);
  const before = set.files[at - 1];
  const after = set.files[at + 1];
  const sorted = firsts.every((path, i) => i === 0 || compareKeys(keyOf(firsts[i - 1]!), keyOf(path)) < 0);
  const fits =
    (!before || compareKeys(keyOf(posix(relative(set.root, before.absPath))), keyOf(firsts[0]!)) < 0) &&
    (!after || compareKeys(keyOf(firsts.at(-1)!), keyOf(posix(relative(set.root, after.absPath)))) < 0);
  if (!sorted || !fits) {
    const between = [before && `after ${before.path}`, after && `before ${after.path}`].filter(Boolean).join(' and ');
    throw new InputError(`${input.file}: no room for the plan's ${firsts.length} migrations ${between} in ${tool.title}'s order; give the migrations after it later versions, or use --emit plan`);
  }
  const removed = input.keepOriginal ? [] : tool.originals(rel).filter((path) => existsSync(join(set.root, path)));
  return { files, result: { layout, phases, removed, readme: readme(input, phases) } };
}

/**
 * Writes the emitted migrations, then removes the replaced one. On any failure it puts back what
 * it removed and removes what it wrote, so the history is as it was, and says so in one line.
 */
export async function writeEmitted(root: string, files: Map<string, string>, removed: string[]): Promise<void> {
  const written: string[] = [];
  const taken: Array<[string, Buffer]> = [];
  try {
    for (const [path, text] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text, { flag: 'wx' });
      written.push(path);
    }
    for (const path of removed) {
      const content = await readFile(join(root, path));
      await rm(join(root, path));
      taken.push([path, content]);
    }
  } catch (error) {
    for (const [path, content] of taken) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    for (const path of written) await rm(join(root, path), { force: true });
    throw new InputError(`${root}: cannot write the plan's migrations, the history is left as it was (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // a migration kept in a directory of its own (Prisma, Diesel) leaves no empty directory behind
  for (const path of removed) if (path.includes('/')) await rmdir(join(root, dirname(path))).catch(() => undefined);
}

/** The README section: which release ships which migration, and which pgphase run job goes between them. */
function readme(input: EmitInput, phases: Emitted['phases']): string {
  const tool = TOOLS[input.layout];
  const { manifest } = input;
  // a phase that needs another deploy first starts the next release
  const split = manifest.phases.findIndex((p) => p.requires !== undefined);
  const releases = split <= 0 ? [manifest.phases] : [manifest.phases.slice(0, split), manifest.phases.slice(split)];
  const shown = (path: string) => `\`${path}\``;
  const lines = [`## Shipping with ${tool.title}`, ''];
  lines.push(
    input.keepOriginal
      ? `The plan's migrations are next to \`${posix(relative(input.set.root, input.file))}\`, which is kept (\`--keep-original\`): remove it before it ships, or ${tool.title} runs it too.`
      : `The plan's migrations replace \`${posix(relative(input.set.root, input.file))}\` in \`${input.rootRef}\`.`,
    `Each runs with \`${tool.command}\` as ${tool.model === 'statements' ? 'psql runs a file: statement by statement, each step in a transaction of its own' : `${tool.title} runs a migration: in one transaction`}.`,
    '',
  );
  releases.forEach((release, r) => {
    const jobs = release.filter((p) => tool.model !== 'statements' && needsRunner(p));
    const requires = release.map((p) => p.requires).filter((x): x is string => x !== undefined);
    lines.push(`### Release ${r + 1}`, '');
    if (requires.length) lines.push(`Deploy first: ${requires.join('; ')}.`, '');
    for (const p of jobs) lines.push(`- before it ships, a job: \`pgphase run ${input.planRef} ${p.name}\` (${needsRunner(p)})`);
    for (const p of release) {
      const emitted = phases.find((e) => e.phase === p.name)!;
      lines.push(`- ${emitted.files.map(shown).join(' + ')}: ${emitted.kind === 'check' ? `checks that \`pgphase run\` applied ${p.name}, and fails naming that command if not` : `the ${p.name} phase`}`);
    }
    lines.push('');
  });
  return lines.join('\n');
}
