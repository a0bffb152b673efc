// `pgphase plan --emit <layout>`: a plan's phases as migrations of the project's own tool,
// in its directory, naming and order, in place of the migration they plan. The plan
// directory stays the source of truth that `pgphase run` applies.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from '../../files.js';
import { dirname, join, relative, sep } from 'node:path';
import { compareKeys, kindOf, LAYOUT } from '../../discover/layouts.js';
import type { MigrationSet } from '../../discover/index.js';
import { InputError, UsageError } from '../../errors.js';
import type { Manifest } from '../manifest.js';
import { needsRunner, phaseMigrations } from './phase.js';
import { EMIT_LAYOUTS, TOOLS, type EmitLayout, type EmittedMigration, type Tool } from './tools.js';

export { EMIT_LAYOUTS, type EmitLayout };

export interface Emitted {
  layout: EmitLayout;
  /** Paths relative to the history's root, in the order the tool applies them, per phase (Liquibase: the changelog and each changeset in it). */
  phases: Array<{ phase: string; files: string[]; kind: 'steps' | 'check' }>;
  /** The replaced migration's files that were removed (relative to the root). */
  removed: string[];
  /** The tool's index files rewritten to list the plan's migrations (sqitch.plan, drizzle's journal, atlas.sum). */
  rewritten: string[];
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

/** The emitted files (relative path → text) and the tool's index files rewritten, checked to sort where the replaced migration was; nothing is written. */
export function emitted(input: EmitInput): {
  files: Map<string, string>;
  rewritten: Map<string, string>;
  result: Emitted;
} {
  const { layout, set, manifest } = input;
  if (!EMIT_LAYOUTS.includes(layout))
    throw new UsageError(`--emit ${layout}: expected one of ${[...EMIT_LAYOUTS, 'plan'].join(', ')}`);
  const tool = TOOLS[layout];
  const rel = posix(relative(set.root, input.file));
  const text = readFileSync(input.file, 'utf8');
  const original = set.layout === layout ? tool.parse(rel, text) : undefined;
  if (!original)
    throw new InputError(
      `${input.file}: not a ${tool.title} migration of ${set.root}; pass --emit with the layout of its directory (${set.layout}), or --emit plan`,
    );
  const files = new Map<string, string>();
  const migrations: EmittedMigration[] = [];
  // the first takes the replaced migration's version, unless that one is kept
  let k = input.keepOriginal ? 1 : 0;
  const phases: Emitted['phases'] = manifest.phases.map((phase) => {
    const own = phaseMigrations(manifest, phase, { tool: layout, planRef: input.planRef }).map((migration, j, all) => {
      const stem = tool.stem(
        original,
        tool.version(original.version, k++),
        all.length > 1 ? `${phase.name}_${j + 1}` : phase.name,
      );
      return { stem, phase: phase.name, kind: migration.kind, files: tool.files(stem, migration, original) };
    });
    for (const [path, text] of tool.inFile ? [] : own.flatMap((m) => m.files)) {
      if (files.has(path) || existsSync(join(set.root, path)))
        throw new InputError(`${join(set.root, path)}: already exists; the plan's migrations need its name`);
      files.set(path, text);
    }
    migrations.push(...own);
    return { phase: phase.name, files: own.flatMap((m) => m.files.map(([path]) => path)), kind: own[0]!.kind };
  });
  // a tool that orders by name must apply them right where the replaced migration was: after its predecessors, before its successors
  if (tool.ordered === 'by-name') fitsInOrder(input, layout, phases);
  const removed = input.keepOriginal ? [] : tool.originals(rel).filter((path) => existsSync(join(set.root, path)));
  const rewritten = new Map(tool.index?.(set.root, original, migrations, removed) ?? []);
  // in its file, the plan's migrations take the replaced one's place (after it, when it is kept)
  if (tool.inFile) {
    const at = /^--\s*changeset\b/im.exec(text)!.index;
    const kept = input.keepOriginal ? `${text.slice(at).trimEnd()}\n\n` : '';
    rewritten.set(
      rel,
      `${text.slice(0, at)}${kept}${migrations.flatMap((m) => m.files.map(([, sql]) => sql)).join('\n')}`,
    );
  }
  return {
    files,
    rewritten,
    result: { layout, phases, removed, rewritten: [...rewritten.keys()], readme: readme(input, phases) },
  };
}

function fitsInOrder(input: EmitInput, layout: EmitLayout, phases: Emitted['phases']): void {
  const { set } = input;
  const keyOf = LAYOUT[layout].order({ root: set.root, entries: new Set(), files: [], read: async () => '' }) as (
    rel: string,
  ) => readonly (bigint | string)[];
  const forward = (path: string) => kindOf(LAYOUT[layout], path) === 'forward';
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
    throw new InputError(
      `${input.file}: no room for the plan's ${firsts.length} migrations ${between} in ${TOOLS[layout].title}'s order; give the migrations after it later versions, or use --emit plan`,
    );
  }
}

/**
 * Writes the emitted migrations and the tool's index files, then removes the replaced migration.
 * On any failure it puts back what it removed or rewrote and removes what it wrote, so the history
 * is as it was, and says so in one line.
 */
export async function writeEmitted(
  root: string,
  files: Map<string, string>,
  removed: string[],
  rewritten = new Map<string, string>(),
): Promise<void> {
  const written: string[] = [];
  const taken: Array<[string, Buffer]> = [];
  try {
    for (const [path, text] of files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text, { flag: 'wx' });
      written.push(path);
    }
    for (const [path, text] of rewritten) {
      const content = await readFile(join(root, path));
      taken.push([path, content]);
      await writeFile(join(root, path), text);
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
    throw new InputError(
      `${root}: cannot write the plan's migrations, the history is left as it was (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  // a migration kept in a directory of its own (Prisma, Diesel) leaves no empty directory behind
  for (const path of removed) if (path.includes('/')) await rmdir(join(root, dirname(path))).catch(() => undefined);
}

const MODEL: Record<Tool['model'], (title: string) => string> = {
  statements: () => 'psql runs a file: statement by statement, each step in a transaction of its own',
  transaction: (title) => `${title} runs a migration: in one transaction`,
  pending: (title) => `${title} runs migrations: every pending one in one transaction`,
};

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
    `Each runs with \`${tool.command}\` as ${MODEL[tool.model](tool.title)}.`,
    '',
  );
  releases.forEach((release, r) => {
    const jobs = release.filter((p) => needsRunner(manifest, p, tool));
    const requires = release.map((p) => p.requires).filter((x): x is string => x !== undefined);
    lines.push(`### Release ${r + 1}`, '');
    if (requires.length) lines.push(`Deploy first: ${requires.join('; ')}.`, '');
    for (const p of jobs)
      lines.push(
        `- before it ships, a job: \`pgphase run ${input.planRef} ${p.name}\` (${needsRunner(manifest, p, tool)})`,
      );
    for (const p of release) {
      const emitted = phases.find((e) => e.phase === p.name)!;
      lines.push(
        `- ${emitted.files.map(shown).join(' + ')}: ${emitted.kind === 'check' ? `checks that \`pgphase run\` applied ${p.name}, and fails naming that command if not` : `the ${p.name} phase`}`,
      );
    }
    lines.push('');
  });
  return lines.join('\n');
}
