// `status`: every plan phase the runner has recorded in this database. Read-only.
import { connect } from './connect.js';
import { DatabaseError } from '../errors.js';
import { readState, type PhaseRecord } from './state.js';

export interface StatusOptions {
  databaseUrl?: string;
  /** Only this plan's phases. */
  planId?: string;
}

/**
 * The recorded phases (oldest first); none when no plan has run on this database. A phase
 * recorded as running while no session holds the runner lock is `interrupted`. Creates nothing.
 */
export async function status(options: StatusOptions = {}): Promise<PhaseRecord[]> {
  const client = await connect(options.databaseUrl);
  try {
    return await readState(client, options.planId);
  } catch (error) {
    // a refusal (no SELECT on pgphase.phase_log) or a dropped connection: one line, exit 2
    throw new DatabaseError(`cannot read pgphase.phase_log: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
