// `status`: every plan phase the runner has recorded in this database. Read-only.
import { connect, DatabaseError } from './connect.js';
import { readState, type PhaseRecord } from './state.js';

export interface StatusOptions {
  databaseUrl?: string;
  /** Only this plan's phases. */
  planId?: string;
}

/** The recorded phases (oldest first); none when no plan has run on this database. Creates nothing. */
export async function status(options: StatusOptions = {}): Promise<PhaseRecord[]> {
  const client = await connect(options.databaseUrl);
  try {
    return await readState(client, options.planId);
  } catch (error) {
    // a server-side refusal (e.g. no SELECT on pgphase.phase_log) is one line, exit 2
    if (/^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code))) throw new DatabaseError(`cannot read pgphase.phase_log: ${(error as Error).message}`);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
