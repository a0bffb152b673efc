// Lints migration sets on several threads at once. Sets are independent (each is replayed from
// its first migration), so a run over many histories (a monorepo, a CI step over every service)
// spreads them over the CPUs the process may use: the biggest first, each thread claiming the
// next set from a shared counter. A worker thread pays its own start (Node, pgphase's code, the
// parser) before its first set, so a run starts one only for enough SQL to pay it back, and as
// soon as the sets found so far hold that much, while the others are found.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { rules as catalog } from '../../rules/index.js';
import { UsageError } from '../errors.js';
import { loadParser } from '../sql/source.js';
import type { FileResult } from './engine.js';
import type { FileLine, FileLines } from './result.js';
import type { SetFile, SetLinter, SetOptions } from './set.js';

/** What a worker thread is posted (lint-worker.ts): every set, biggest first, and the counter from
 *  which the threads claim them. Rules are named by id: a worker takes pgphase's own. */
export interface Work {
  sets: SetFile[][];
  options: Omit<SetOptions, 'rules'> & { rules: string[] };
  next: SharedArrayBuffer;
}

/** What a worker thread posts for each set it linted: its results as lines, which cost less to
 *  post than the results, and which the JSON report prints as they are; then `'end'`, once no
 *  set is left to claim. */
export type Posted = { set: number; lines: FileLine[] } | 'end';

/** How much SQL a thread beyond the first needs, in characters (bytes, for ASCII text). A worker costs 100 to 150 ms of CPU
 *  before its first set; two threads on 300 KB saved 30 ms of wall time for 90 ms more CPU, on
 *  600 KB 70 ms for 160 ms (bench/lint.mjs's generated histories). */
const SQL_PER_THREAD = 512 * 1024;

const here = fileURLToPath(import.meta.url);
/** The worker's code, beside this file: the library's lint-worker.js, or the CLI bundle's
 *  lint-worker.cjs (scripts/bundle.mjs). */
const WORKER = join(dirname(here), `lint-worker${extname(here)}`);
/** Whether there is a worker's code to run: not for the TypeScript sources (the tests run them),
 *  nor when another bundler took the library into a file of its own. */
const runnable = () => /\.c?js$/.test(WORKER) && existsSync(WORKER);

/** pgphase's own rules by id: those a worker thread can load. */
export const ownRules = new Map(catalog.map((rule) => [rule.meta.id, rule]));

/** A container's CPU quota, in CPUs, from its cgroup's files as read (v2: `cpu.max`, "max 100000"
 *  or "150000 100000"; v1: `cpu.cfs_quota_us` and `cpu.cfs_period_us`); undefined for none. */
export function cpuQuota(files: { max?: string; quota?: string; period?: string }): number | undefined {
  const [quota, period] = files.max?.trim().split(/\s+/) ?? [files.quota?.trim(), files.period?.trim()];
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? cpus : undefined;
}

/** The CPUs this process may use: the cores it may run on, or fewer under a container's CPU quota,
 *  which Node 20's `availableParallelism()` does not count (a CI job limited to 2 CPUs on a
 *  64-core host would start a worker for each core). */
function usableCpus(): number {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const max = read('/sys/fs/cgroup/cpu.max');
  const quota = cpuQuota(
    max === undefined
      ? { quota: read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), period: read('/sys/fs/cgroup/cpu/cpu.cfs_period_us') }
      : { max },
  );
  return Math.max(1, Math.min(availableParallelism(), Math.floor(quota ?? Number.POSITIVE_INFINITY)));
}

let cpus: number | undefined;
/** The CPUs this process may use, read once. */
const cpusUsable = () => (cpus ??= usableCpus());

/** The characters of SQL in files: what pays for a thread. */
const chars = (files: readonly { text: string }[]) => files.reduce((length, file) => length + file.text.length, 0);

/** How many worker threads sets of these sizes (characters of SQL to lint) pay for: `threads`
 *  (this one included) when given, else one per SQL_PER_THREAD up to the usable CPUs; never a
 *  thread without a set. */
function workersFor(sizes: readonly number[], threads: number | undefined): number {
  const paid = 1 + Math.floor(sizes.reduce((a, b) => a + b, 0) / SQL_PER_THREAD);
  const wanted = threads ?? (paid > 1 && sizes.length > 1 ? Math.min(paid, cpusUsable()) : 1);
  return Math.min(wanted, sizes.length) - 1;
}

/** A worker thread, and the end of its run: resolved when it exits of itself, rejected when it fails. */
interface Started {
  worker: Worker;
  exited: Promise<void>;
}

/**
 * The threads of one lint. A worker is started as soon as the sets found pay for it (`expect`,
 * while discovery reads the rest), and waits, idle and unreferenced, for its work: its start
 * (Node's thread, pgphase's code) then overlaps this thread's discovery instead of delaying the
 * worker's first set. `lint` gives them the sets; `close` ends those it did not take.
 */
export class LintThreads {
  private readonly idle: Started[] = [];
  /** The SQL to lint of each set found so far, by its root. */
  private readonly found = new Map<string, number>();
  /** Whether a worker can run the lint: its rules are pgphase's own, and the worker's code is there. */
  private usable: boolean | undefined;

  /** `threads` (default: as many as the process has CPUs and the SQL pays for) is how many threads
   *  lint at once, this one included: one when a rule is not pgphase's own, which a worker could not run. */
  constructor(
    private readonly linter: SetLinter,
    private readonly threads?: number,
  ) {
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
      throw new UsageError(`threads: ${threads} is not a whole number of at least 1`);
  }

  /** A set the lint will take, with the files it replays: starts the workers that the sets found
   *  so far pay for. */
  expect(root: string, files: readonly { text: string }[]): void {
    this.found.set(root, Math.max(chars(files), this.found.get(root) ?? 0));
    this.start(workersFor([...this.found.values()], this.threads));
  }

  /** Starts workers up to `count`, where a worker can run the lint. */
  private start(count: number): void {
    if (this.idle.length >= count) return;
    this.usable ??= this.linter.options.rules.every((rule) => ownRules.get(rule.meta.id) === rule) && runnable();
    if (!this.usable) return;
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    while (this.idle.length < count) {
      const worker = new Worker(WORKER);
      // idle, it keeps no process alive (`lint` refers to it again)
      worker.unref();
      const exited = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`a lint thread stopped with exit code ${code}`)),
        );
      });
      // awaited by `lint`; one that `close` ends is not
      exited.catch(() => undefined);
      this.idle.push({ worker, exited });
    }
  }

  /** Ends the workers no lint took. */
  close(): void {
    for (const { worker } of this.idle.splice(0)) void worker.terminate();
  }

  /** The results of each set, in the order given; loads this thread's parser when a set needs it.
   *  A result a worker thread posted is made from its line, added to `lines`. */
  async lint(sets: readonly SetFile[][], lines: FileLines): Promise<FileResult[][]> {
    if (sets.length === 0) return [];
    const sizes = sets.map((set) => chars(set.map(({ file }) => file)));
    const count = workersFor(sizes, this.threads);
    this.start(count);
    // fewer where no worker can run the lint; those started for more sets than were found end
    const started = this.idle.splice(0, count);
    this.close();
    if (started.length === 0) {
      await loadParser();
      return sets.map((set) => this.linter.set(set));
    }

    const order = sets.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
    const next = new SharedArrayBuffer(4);
    const claimed = new Int32Array(next);
    const { rules, ...options } = this.linter.options;
    const work: Work = {
      sets: order.map((i) => sets[i]!),
      options: { ...options, rules: rules.map((r) => r.meta.id) },
      next,
    };
    const results: FileResult[][] = [];
    // the workers' work is over when each has posted its end, not when they have exited: a
    // worker's exit (its heap and its parser freed) takes 10 to 20 ms more
    let running = started.length;
    let ended!: () => void;
    const end = new Promise<void>((resolve) => {
      ended = resolve;
    });
    for (const { worker } of started) {
      worker.on('message', (posted: Posted) => {
        if (posted === 'end') {
          if (--running === 0) ended();
        } else
          results[order[posted.set]!] = posted.lines.map((line) =>
            lines.resultOf(line, () => new Error('a lint thread posted a result that does not parse')),
          );
      });
      worker.ref();
      worker.postMessage(work);
    }
    // a worker that fails fails the run; one that exits without its end, the check below
    const finished = Promise.race([end, Promise.all(started.map((s) => s.exited))]);
    // awaited below, unless this thread fails first
    finished.catch(() => undefined);
    try {
      await loadParser();
      for (let k = Atomics.add(claimed, 0, 1); k < sets.length; k = Atomics.add(claimed, 0, 1))
        results[order[k]!] = this.linter.set(work.sets[k]!);
      await finished;
    } catch (error) {
      // a failure in any thread ends the run: the others' work is of no use
      for (const { worker } of started) void worker.terminate();
      throw error;
    }
    if (results.filter(Boolean).length !== sets.length)
      throw new Error('a lint thread stopped before its sets were linted');
    // each worker exits of itself, keeping the process no longer
    for (const { worker } of started) worker.unref();
    return results;
  }
}
