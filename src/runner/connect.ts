// Connections: `--database-url`, else DATABASE_URL, else the PG* variables as libpq
// reads them. Passwords never reach a message.
import pg from 'pg';
import { ConnectionError, InputError } from '../errors.js';

/**
 * The connection string with any password replaced by `***`, for messages. In a URL the user
 * info runs to the last @: a password with an unencoded @ or / (a URL PostgreSQL clients
 * misread) is hidden whole. A keyword/value string's password may be quoted.
 */
export function redact(url: string): string {
  if (!url.includes('://')) return url.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*(?:'|$)|\S*)/gi, '$1***');
  return url.replace(/(\/\/[^:/@]*:).*@/, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

/** A client for the connection string; one that is not a URL is an input error saying what is
 *  expected (not a ConnectionError: no wait for the database mends it). */
function newClient(url: string | undefined): pg.Client {
  if (url === undefined) return new pg.Client({});
  // node-postgres would read `host=… dbname=…`, or any text without a scheme but a socket
  // directory's path, as a relative URL and connect to a host named "base"
  let why: string;
  if (/^\s*[a-z_]+\s*=/i.test(url)) why = 'keyword/value strings are not supported';
  else if (!/^([a-z][a-z0-9+.-]*:|\/)/i.test(url)) why = 'it names no scheme';
  else {
    try {
      return new pg.Client({ connectionString: url });
    } catch (error) {
      why = (error as Error).message;
    }
  }
  throw new InputError(
    `${redact(url)} is not a connection URL (${why}): give one like postgres://user:password@host:5432/database, with @ / : in the password percent-encoded, in --database-url or DATABASE_URL`,
  );
}

/** Opens a client; an unreachable database is a ConnectionError naming the redacted target. */
export async function connect(given: string | undefined = process.env.DATABASE_URL): Promise<pg.Client> {
  // an empty DATABASE_URL (an unset variable of a compose file) is none: the PG* variables
  const url = given || undefined;
  const client = newClient(url);
  const target = url === undefined ? 'the database given by the PG* variables' : redact(url);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = (error as Error).message.split('\n')[0]!.replaceAll(url ?? '\u0000', redact(url ?? ''));
    throw new ConnectionError(
      `cannot connect to ${target}: ${reason}; check --database-url, DATABASE_URL or the PG* variables`,
      target,
    );
  }
  return client;
}
