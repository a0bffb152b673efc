// `plan()`: one migration file in, a plan directory out. The directory is written
// complete or not at all: files go to a temporary sibling that is renamed into place.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from '../files.js';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { discoverSet, Discovery, fileInSet, type LayoutName } from '../discover/index.js';
import { InputError, PlanRefused, UsageError } from '../errors.js';
import type { Change } from '../sql/changes.js';
import { loadParser, parseSource, parseSources } from '../sql/source.js';
import { replay, schemaFrom } from '../schema/model.js';
import { manifestSchema, readManifest } from './manifest.js';
import { modelCheck } from './model-check.js';
import { presentObjects } from './present.js';
import { plan as planChanges } from './planner.js';
import { describeProof, disproves, recordProof, type Proof } from './proof.js';
import { EMIT_LAYOUTS, emitted, writeEmitted, type Emitted, type EmitLayout } from './emit/index.js';
import { EmittedMigrations } from './emit/recognise.js';
import { renderPlan, type RenderedPlan } from './render.js';
import type { PhaseName, SchemaObject } from './types.js';

export interface PlanApiOptions {
  file: string;
  /** The starting schema as changes (a dump or a live catalog); the history, if given, is replayed on top. */
  baseSchema?: readonly Change[];
  /** A migration directory whose files before `file` are replayed as the starting schema;
   *  without it and without `baseSchema`, the migration set `file` belongs to. */
  history?: string;
  /** The layout of `history` (detected when absent). */
  layout?: LayoutName;
  out?: string;
  name?: string;
  batchSize?: number;
  lockTimeout?: string;
  pgVersion?: number;
  force?: boolean;
  allowUnsafe?: boolean;
  cwd?: string;
  /** Proves the plan in its (not yet written) directory before it is written, on a shadow database
   *  (src/shadow/prove.ts), from the history the plan replayed (given, or the file's own): a plan
   *  that fails its proof is refused, one that passes records it. */
  prove?: (planDir: string, history: string | undefined) => Promise<Proof>;
  /**
   * Write the phases as migrations of this tool in place of the file; 'auto': its directory's
   * layout when it is one of EMIT_LAYOUTS other than plain (what the CLI does by default);
   * 'plan' (the default): the plan directory only, nothing else written or removed.
   */
  emit?: EmitLayout | 'plan' | 'auto';
  /** With emit: keep the planned file next to the migrations that replace it. */
  keepOriginal?: boolean;
}

export interface PlanResult extends RenderedPlan {
  dir: string;
  proof?: Proof;
  emitted?: Emitted;
}

function planId(file: string): string {
  const stem =
    basename(file, extname(file)) === 'migration' || basename(file, extname(file)) === 'up'
      ? basename(dirname(file))
      : basename(file, extname(file));
  return (
    stem
      .replace(/\.up$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 100) || 'plan'
  );
}

/**
 * How a committed file names a path of the project: from the root of the git work tree that
 * holds it, where a deploy job runs, else from the working directory; never by this machine's
 * absolute path, which no other checkout has.
 */
function projectPath(absPath: string, cwd: string): string {
  const from = (root: string) => relative(root, absPath).split(sep).join('/') || '.';
  for (let dir = absPath; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return from(dir);
    if (dirname(dir) === dir) return from(cwd);
  }
}

/**
 * Refuses a plan directory that may not be written: one that holds (or is) any of `kept`, which
 * replacing it would delete; a file; a directory other than an earlier plan's (no plan.json) that
 * is not empty; an earlier plan's without `force`.
 */
function replaceable(dir: string, force: boolean, kept: readonly (readonly [string, string])[]): void {
  if (!existsSync(dir)) return;
  const held = kept.find(([path]) => path === dir || path.startsWith(`${dir}${sep}`));
  if (held)
    throw new InputError(`${dir}: holds ${held[1]}, which writing the plan there would delete; choose another --out`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir}: is a file; choose another --out`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes('plan.json'))
    throw new InputError(
      `${dir}: already exists and is not a plan directory (no plan.json), so pgphase does not replace it; choose another --out`,
    );
  if (!force) throw new InputError(`${dir}: already exists; pass --force to replace it`);
}

export async function plan(options: PlanApiOptions): Promise<PlanResult> {
  if (options.name !== undefined && !manifestSchema.shape.id.safeParse(options.name).success) {
    throw new UsageError(
      `--name ${options.name}: expected 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, options.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${options.file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const discovery = new Discovery(cwd);
  // the forward text of the file as its tool runs it: a goose or dbmate file's Down section is not planned
  const own = await fileInSet(file, options.layout, discovery).catch(() => undefined);
  const forward = own?.file.text ?? text;
  await loadParser();
  const schema = schemaFrom(options.baseSchema ?? []);
  // the history given, else, without a starting schema, the one the file belongs to, as lint
  // and prove read it
  const set =
    options.history !== undefined
      ? await discoverSet(options.history, options.layout, discovery)
      : options.baseSchema === undefined
        ? own?.set
        : undefined;
  if (set) {
    // a migration an earlier plan emitted is replayed as the change it stands for
    const emittedPhases = new EmittedMigrations(cwd);
    const at = set.files.findIndex((f) => f.absPath === file);
    const earlier = at === -1 ? set.files : set.files.slice(0, at);
    for (const source of parseSources(
      earlier.map((f) => ({ path: f.path, text: emittedPhases.recognise(f, set.root)?.replay ?? f.text })),
    ))
      replay(source, schema);
  }
  const source = parseSource(options.file, forward);
  if (source.syntaxError) {
    const { line, column } = source.syntaxError.location;
    throw new InputError(
      `${options.file}:${line}:${column}: ${source.syntaxError.message}; fix the SQL before planning it`,
    );
  }
  const pgVersion = options.pgVersion ?? 15;
  // the planner advances the schema through the migration: the check starts from a copy
  const start = schema.clone();
  const planned = planChanges({ source, schema, pgVersion, allowUnsafe: options.allowUnsafe ?? false });
  if (planned.refusals.length && !options.allowUnsafe) {
    const reasons = planned.refusals
      .map((r) => `${options.file}:${r.location.line}:${r.location.column}: ${r.reason}`)
      .join('. ');
    throw new PlanRefused(
      `cannot plan this migration safely: ${reasons}. Change the migration, or pass --allow-unsafe to place it anyway, with a warning in the plan`,
    );
  }
  if (planned.phases.length === 0) throw new InputError(`${options.file}: nothing to plan (no schema or data change)`);
  const id = options.name ?? planId(file);
  const renderOptions = {
    id,
    source: { path: options.file, text },
    pgVersion,
    batchSize: options.batchSize ?? 1000,
    lockTimeout: options.lockTimeout ?? '2s',
  };
  const checked = renderPlan(planned, renderOptions);
  // checked as the runner will execute it: plan.json's steps and backfills, in its order
  const present: Partial<Record<PhaseName, SchemaObject[]>> = {};
  const differences = modelCheck(
    checked.manifest.phases,
    start,
    source,
    (phase, model) => (present[phase] = presentObjects(start, model)),
  );
  if (differences.length && !options.allowUnsafe) {
    throw new PlanRefused(
      `${options.file}: the plan does not do what the migration does on the schema model, a pgphase bug (--allow-unsafe writes it anyway, with the differences recorded): ${differences.join('; ')}`,
    );
  }
  const rendered = renderPlan(planned, {
    ...renderOptions,
    present,
    ...(differences.length > 0 && { modelCheck: differences }),
  });

  // plain files give no sign of the tool that runs them: --emit plain says it is psql
  const layout =
    options.emit === 'auto'
      ? (EMIT_LAYOUTS.find((l) => l !== 'plain' && l === own?.set.layout) ?? 'plan')
      : (options.emit ?? 'plan');
  if (layout !== 'plan' && !own)
    throw new InputError(
      `${options.file}: not a migration of a directory pgphase reads, so there is no tool to emit for; pass --emit plan`,
    );
  // emitted migrations keep their plan directory out of the history they join: <history>/../pgphase/<id>
  const dir = resolve(
    cwd,
    options.out ?? (layout !== 'plan' ? join(own!.set.root, '..', 'pgphase', id) : join(dirname(file), id)),
  );
  replaceable(dir, options.force ?? false, [
    [file, 'the migration'],
    [cwd, 'the working directory'],
    ...(set ? [[set.root, 'the history'] as const] : []),
    ...(own ? [[own.set.root, "the migration's history"] as const] : []),
  ]);
  const emit =
    layout === 'plan' || !own
      ? undefined
      : emitted({
          layout,
          set: own.set,
          file,
          manifest: rendered.manifest,
          planRef: projectPath(dir, cwd),
          rootRef: projectPath(own.set.root, cwd),
          keepOriginal: options.keepOriginal ?? false,
        });
  if (emit) rendered.files.set('README.md', `${rendered.files.get('README.md')!}\n${emit.result.readme}`);
  let tmp: string | undefined;
  try {
    await mkdir(dirname(dir), { recursive: true });
    tmp = await mkdtemp(join(dirname(dir), `.${basename(dir)}-`));
    for (const [name, content] of rendered.files) await writeFile(join(tmp, name), content);
  } catch (error) {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
    throw new InputError(
      `${dir}: cannot write the plan (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let proof: Proof | undefined;
  try {
    if (options.prove) {
      proof = await options.prove(tmp, set?.root);
      if (disproves(proof) && !options.allowUnsafe)
        throw new PlanRefused(
          `the plan fails its proof, so it is not written (a pgphase bug: please report it; --allow-unsafe writes it with the failure recorded): ${describeProof(proof)}`,
        );
      await recordProof(tmp, proof);
    }
    // the emitted migrations first: writeEmitted leaves the history as it was when it fails, and
    // a plan directory replaced with --force is only replaced once they are in place
    if (emit) await writeEmitted(own!.set.root, emit.files, emit.result.removed, emit.rewritten);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  try {
    if (existsSync(dir)) await rm(dir, { recursive: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw new InputError(
      `${dir}: cannot write the plan (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return {
    ...rendered,
    dir,
    ...(proof && { proof, manifest: readManifest(dir) }),
    ...(emit && { emitted: emit.result }),
  };
}
