// `lint --cache`: the results of a migration set, kept under a key of everything they depend
// on, so that linting unchanged migrations again costs a hash of their text, not a parse.
// A file's findings depend on every migration before it (the replayed schema), so the unit
// is a set, not a file: one entry per set directory, replaced when anything in it changes.
// A cache that cannot be read is ignored, one that cannot be written is skipped: it only
// ever saves work, it never changes a result.
// Each file's result is kept as its line of the JSON report (`fileJson`), which the JSON report
// then takes as it is (`json`), and with the counts the summary takes (`counts`): a run the cache
// answers neither builds nor serializes a result again, and parses one only when it is read. The
// file is pgphase's own, written whole and renamed into place: its lines are trusted once its
// header (their lengths) matches it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { version } from '../meta.js';
import type { FileResult } from './engine.js';
import { countsOf, fileJson, type FileCounts } from './result.js';

/** The locks of a set's findings, which the report's JSON leaves out: [file, finding, lock]. */
type Locks = [number, number, string][];

/** A set as the cache file holds it: each file's JSON as bytes, or as text when this run made it. */
export interface CachedSet {
  root: string;
  key: string;
  files: (Buffer | string)[];
  counts: FileCounts[];
  locks: Locks;
}

const FILE = 'lint.cache';

/**
 * The cache file: the length of its header (4 bytes, little-endian), the header (JSON: per set
 * its root, key, locks and per file the byte length of its JSON and its counts), then each file's
 * JSON in UTF-8, in order. Throws on anything else.
 */
export function decodeCache(bytes: Buffer): CachedSet[] {
  const end = 4 + bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, end)) as [string, string, number[][], Locks][];
  let at = end;
  const sets = header.map(([root, key, files, locks]) => ({
    root,
    key,
    locks,
    files: files.map(([length]) => bytes.subarray(at, (at += length!))),
    counts: files.map(([, statements, errors, warnings]) => ({ statements, errors, warnings }) as FileCounts),
  }));
  if (
    at !== bytes.length ||
    !sets.every(
      (s) =>
        typeof s.key === 'string' &&
        Array.isArray(s.locks) &&
        s.counts.every((c) => [c.statements, c.errors, c.warnings].every(Number.isInteger)),
    )
  )
    throw new Error('not a lint cache');
  return sets;
}

export function encodeCache(sets: readonly CachedSet[]): Buffer {
  const files = sets.map((set) => set.files.map((file) => (typeof file === 'string' ? Buffer.from(file) : file)));
  const header = Buffer.from(
    JSON.stringify(
      sets.map((set, i) => [
        set.root,
        set.key,
        files[i]!.map((file, j) => [
          file.length,
          set.counts[j]!.statements,
          set.counts[j]!.errors,
          set.counts[j]!.warnings,
        ]),
        set.locks,
      ]),
    ),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...files.flat()]);
}

export class LintCache {
  private readonly entries = new Map<string, CachedSet>();
  private changed = false;
  /** Each file's line of the JSON report, for the results this cache gave or took (`formatResult`'s `json`). */
  readonly json = new Map<FileResult, string>();
  /** The summary's counts of the results this cache gave (`summarize`'s `kept`). */
  readonly counts = new Map<FileResult, FileCounts>();

  constructor(private readonly dir: string) {
    try {
      for (const set of decodeCache(readFileSync(join(dir, FILE)))) this.entries.set(set.root, set);
    } catch {
      // none yet, or not one this version reads: it is written anew
    }
  }

  /** A key of the inputs of one set's lint: pgphase's version and whatever the caller adds. */
  key(parts: readonly unknown[]): string {
    const hash = createHash('sha256').update(version);
    for (const part of parts) hash.update('\0').update(typeof part === 'string' ? part : JSON.stringify(part));
    return hash.digest('hex');
  }

  get(root: string, key: string): FileResult[] | undefined {
    const entry = this.entries.get(root);
    if (entry?.key !== key) return undefined;
    const locks = entry.files.map((): [number, string][] => []);
    for (const [file, finding, lock] of entry.locks) locks[file]?.push([finding, lock]);
    return entry.files.map((bytes, i) => {
      const text = bytes.toString();
      let parsed: FileResult | undefined;
      const read = (): FileResult => {
        if (parsed) return parsed;
        try {
          parsed = JSON.parse(text) as FileResult;
          for (const [finding, lock] of locks[i]!) parsed.findings[finding]!.lock = lock;
        } catch {
          throw new InputError(
            `${join(this.dir, FILE)}: damaged; delete it (the next run with --cache writes it anew)`,
          );
        }
        return parsed;
      };
      // each field an own enumerable getter, so that a copy (`{ ...file }`) reads it
      const file: FileResult = {
        get path() {
          return read().path;
        },
        get class() {
          return read().class;
        },
        get statements() {
          return read().statements;
        },
        get findings() {
          return read().findings;
        },
      };
      this.json.set(file, text);
      this.counts.set(file, entry.counts[i]!);
      return file;
    });
  }

  set(root: string, key: string, files: FileResult[]): void {
    const texts = files.map((file) => {
      const text = fileJson(file);
      this.json.set(file, text);
      return text;
    });
    const locks: Locks = files.flatMap((file, i) =>
      file.findings.flatMap((finding, j): Locks => (finding.lock === undefined ? [] : [[i, j, finding.lock]])),
    );
    this.entries.set(root, { root, key, files: texts, counts: files.map(countsOf), locks });
    this.changed = true;
  }

  /** Writes the cache (whole, then renamed into place, so a reader never sees half of it). */
  save(): void {
    if (!this.changed) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      writeFileSync(tmp, encodeCache([...this.entries.values()]));
      renameSync(tmp, join(this.dir, FILE));
    } catch {
      // a read-only checkout lints as fast as without a cache
    }
  }
}
