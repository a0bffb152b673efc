// Migrations that `pgphase plan --emit` wrote. Such a file opens with a header naming its plan and
// phase; lint judges it as that phase of the plan, whose steps are safe by construction, only when
// its statements are exactly those the plan directory's plan.json gives for that phase and tool.
// The header alone proves nothing: a file whose SQL differs is linted like any other.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MigrationFile } from '../discover/index.js';
import { parseSource } from '../sql/source.js';

const HEADER = /^-- pgphase plan (\S+) · (expand|trigger|backfill|contract), from (.+)\/[^/\n]+ \(pgphase plan --emit ([a-z-]+)\): change the plan, not this file$/m;

/** How far up from a migration the plan directory's path is tried: the project root is rarely farther. */
const ANCESTORS = 8;

/** The statements of a text, as the parser splits them: what runs, comments aside. */
const statements = (text: string) => parseSource('', text).statements.map((s) => s.text);

/** Recognises emitted phase migrations, reading each plan directory once. */
export class EmittedMigrations {
  private readonly plans = new Map<string, Promise<string[][] | undefined>>();

  constructor(private readonly cwd: string) {}

  /** Cheap: whether the file claims to be an emitted migration (then `recognise` reads its plan). */
  static claims(text: string): boolean {
    return text.includes('-- pgphase plan ') && HEADER.test(text);
  }

  /** Whether the file's statements are those of its plan's phase as emitted for its tool. */
  async recognise(file: MigrationFile, root: string): Promise<boolean> {
    const header = HEADER.exec(file.text);
    if (!header) return false;
    const [, id, phase, planRef, tool] = header as unknown as [string, string, string, string, string];
    const key = [id, phase, planRef, tool, dirname(file.absPath), root].join('\0');
    let emitted = this.plans.get(key);
    if (!emitted) this.plans.set(key, (emitted = this.emitted(id, phase, planRef, tool, dirname(file.absPath), root)));
    const own = (await emitted)?.map((migration) => migration.join('\0'));
    return own?.includes(statements(file.text).join('\0')) ?? false;
  }

  /** The statements of each migration the plan's phase is emitted as, or none when its plan directory is not found. */
  private async emitted(id: string, phaseName: string, planRef: string, tool: string, from: string, root: string): Promise<string[][] | undefined> {
    const { readManifest } = await import('../plan/manifest.js');
    const { phaseMigrations } = await import('../plan/emit/phase.js');
    const { TOOLS } = await import('../plan/emit/tools.js');
    if (!(tool in TOOLS)) return undefined;
    const ancestors = [from];
    while (ancestors.length < ANCESTORS && dirname(ancestors.at(-1)!) !== ancestors.at(-1)) ancestors.push(dirname(ancestors.at(-1)!));
    // where the plan directory's path leads from the working directory or the project's directories, or where --emit puts it by default
    const candidates = [resolve(this.cwd, planRef), ...ancestors.map((dir) => resolve(dir, planRef)), join(root, '..', 'pgphase', id)];
    for (const dir of new Set(candidates)) {
      if (!existsSync(join(dir, 'plan.json'))) continue;
      let manifest;
      try {
        manifest = readManifest(dir);
      } catch {
        continue;
      }
      const phase = manifest.phases.find((p) => p.name === phaseName);
      if (manifest.id !== id || !phase) continue;
      return phaseMigrations(manifest, phase, { tool: tool as keyof typeof TOOLS, planRef }).map((m) => statements(m.up));
    }
    return undefined;
  }
}
