// `pgphase plan` of a migration as its project sees it: the migrations before it replayed as
// the starting schema, its directory's layout and the config's PostgreSQL version.
import { InputError, plan, stopShadowServer, type PlanOptions, type PlanResult } from '../index.js';
import type { Workspace } from './workspace.js';

export async function planInProject(
  workspace: Workspace,
  absPath: string,
  options: Omit<PlanOptions, 'file' | 'history' | 'layout'>,
): Promise<PlanResult> {
  const { config, found } = await workspace.locate(absPath);
  if (!found)
    throw new InputError(
      `${absPath}: not a migration of a directory pgphase reads (a down migration, a path the config ignores, or no .sql file)`,
    );
  try {
    return await plan({
      pgVersion: config.config.pgVersion,
      ...options,
      file: absPath,
      history: found.set.root,
      layout: found.set.layout,
    });
  } finally {
    await stopShadowServer();
  }
}

/** One line per phase: its file, steps and backfills. */
export function describePhases(result: PlanResult): string[] {
  return result.manifest.phases.map(
    (p) =>
      `${p.file}: ${p.steps.length} step${p.steps.length === 1 ? '' : 's'}${p.backfills ? `, ${p.backfills.length} backfill${p.backfills.length === 1 ? '' : 's'}` : ''}${p.requires ? ` (deploy first: ${p.requires})` : ''}`,
  );
}
