// Connections: `--database-url`, else DATABASE_URL, else the PG* variables as libpq
// reads them. Passwords never reach a message.
import pg from 'pg';
import { PgphaseError } from '../errors.js';

export class DatabaseError extends PgphaseError {
  constructor(message: string) {
    super('database', message);
  }
}

/** The URL with any password replaced by `***`, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

/** Opens a client; an unreachable database is a DatabaseError naming the redacted target. */
export async function connect(url: string | undefined = process.env.DATABASE_URL): Promise<pg.Client> {
  const client = new pg.Client(url === undefined ? {} : { connectionString: url });
  const target = url === undefined ? 'the database given by the PG* variables' : redact(url);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = (error as Error).message.split('\n')[0]!.replaceAll(url ?? '\u0000', redact(url ?? ''));
    throw new DatabaseError(`cannot connect to ${target}: ${reason}; check --database-url, DATABASE_URL or the PG* variables`);
  }
  return client;
}
