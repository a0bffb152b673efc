// Migrations that `pgphase plan --emit` wrote, recognised in a history. Such a file opens with a
// header naming its plan and phase; it is that phase of the plan only when its statements are
// exactly those the plan directory's plan.json gives for that phase and tool. The header alone
// proves nothing: a file whose SQL differs is read like any other migration.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readManifest, type ManifestPhase } from '../manifest.js';
import { parseSource } from '../../sql/source.js';
import { phaseMigrations } from './phase.js';
import { TOOLS, type EmitLayout } from './tools.js';

const HEADER =
  /^-- pgphase plan (\S+) · (expand|trigger|backfill|contract), from (.+)\/[^/\n]+ \(pgphase plan --emit ([a-z-]+)\): change the plan, not this file$/m;

/** How far up from a migration the plan directory's path is tried: the project root is rarely farther. */
const ANCESTORS = 8;

/** An emitted migration: its phase's steps ran in it, or it checks that `pgphase run` applied them. */
export interface EmittedPhase {
  kind: 'steps' | 'check';
  /** The SQL a history replays for it: the file itself, or for a check the phase's steps, the change it stands for. */
  replay: string;
}

/** The statements of a text, as the parser splits them: what runs, comments aside. */
const statements = (text: string) =>
  parseSource('', text)
    .statements.map((s) => s.text)
    .join('\0');

/** Whether a text claims to be an emitted migration (cheap: `recognise` then reads its plan). */
export function claimsEmitted(text: string): boolean {
  return text.includes('-- pgphase plan ') && HEADER.test(text);
}

/** Recognises emitted phase migrations, reading each plan directory once. The parser must be loaded. */
export class EmittedMigrations {
  private readonly plans = new Map<
    string,
    Array<{ kind: EmittedPhase['kind']; statements: string; steps: ManifestPhase['steps'] }> | undefined
  >();

  constructor(private readonly cwd: string) {}

  /** The phase a migration file (its forward text) is, when its statements are those of its plan's phase as emitted for its tool. */
  recognise(file: { absPath: string; text: string }, root: string): EmittedPhase | undefined {
    const header = HEADER.exec(file.text);
    if (!header) return undefined;
    const [, id, phase, planRef, tool] = header as unknown as [string, string, string, string, string];
    // the pgphase version that wrote it, which its phase record names
    const by = /'version', '([^']*)'\)/.exec(file.text)?.[1];
    const key = [id, phase, planRef, tool, by, dirname(file.absPath), root].join('\0');
    if (!this.plans.has(key))
      this.plans.set(key, this.emitted(id, phase, planRef, tool, by, dirname(file.absPath), root));
    const own = statements(file.text);
    const match = this.plans.get(key)?.find((m) => m.statements === own);
    if (!match) return undefined;
    return {
      kind: match.kind,
      replay: match.kind === 'check' ? match.steps.map((s) => `${s.sql};\n`).join('') : file.text,
    };
  }

  /** Each migration the plan's phase is emitted as, or none when its plan directory is not found. */
  private emitted(
    id: string,
    phaseName: string,
    planRef: string,
    tool: string,
    by: string | undefined,
    from: string,
    root: string,
  ) {
    if (!(tool in TOOLS)) return undefined;
    const ancestors = [from];
    while (ancestors.length < ANCESTORS && dirname(ancestors.at(-1)!) !== ancestors.at(-1))
      ancestors.push(dirname(ancestors.at(-1)!));
    // where the plan directory's path leads from the working directory or the project's directories, or where --emit puts it by default
    const candidates = [
      resolve(this.cwd, planRef),
      ...ancestors.map((dir) => resolve(dir, planRef)),
      join(root, '..', 'pgphase', id),
    ];
    for (const dir of new Set(candidates)) {
      if (!existsSync(join(dir, 'plan.json'))) continue;
      let manifest: ReturnType<typeof readManifest>;
      try {
        manifest = readManifest(dir);
      } catch {
        continue;
      }
      const phase = manifest.phases.find((p) => p.name === phaseName);
      if (manifest.id !== id || !phase) continue;
      return phaseMigrations(manifest, phase, {
        tool: tool as EmitLayout,
        planRef,
        ...(by !== undefined && { by }),
      }).map((m) => ({ kind: m.kind, statements: statements(m.up), steps: phase.steps }));
    }
    return undefined;
  }
}
