// Migrations `pgphase plan --emit` wrote, as lint sees them: checked against their plan
// (src/plan/emit/recognise.ts, loaded only for a file that carries the header), judged as the
// plan's phase, and replayed as the change they stand for.
import type { MigrationFile } from '../discover/index.js';
import type { EmittedMigrations, EmittedPhase } from '../plan/emit/recognise.js';
import { loadParser } from '../sql/source.js';

/** The emitted phase each file is, if it is one: none, at once, for a file without the header
 *  (nearly all); plan directories are read once per lint. */
export function emittedPhases(
  cwd: string,
): (file: MigrationFile, root: string) => Promise<EmittedPhase | undefined> | undefined {
  let recogniser: Promise<EmittedMigrations> | undefined;
  return (file, root) => {
    if (!file.text.includes('-- pgphase plan ')) return undefined;
    recogniser ??= Promise.all([import('../plan/emit/recognise.js'), loadParser()]).then(
      ([m]) => new m.EmittedMigrations(cwd),
    );
    return recogniser.then((emitted) => emitted.recognise(file, root));
  };
}
