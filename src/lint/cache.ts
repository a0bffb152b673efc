// `lint --cache`: the results of a migration set, kept under a key of everything they depend
// on, so that linting unchanged migrations again costs a hash of their text, not a parse.
// A file's findings depend on every migration before it (the replayed schema), so the unit
// is a set, not a file: one entry per set directory, replaced when anything in it changes.
// A cache that cannot be read is ignored, one that cannot be written is skipped: it only
// ever saves work, it never changes a result.
// Each file's result is kept as its line of the JSON report, with its counts and locks
// (`FileLine`): a run the cache answers neither builds nor serializes a result again, and parses
// one only when it is read. The file is pgphase's own, written whole and renamed into place: its
// lines are trusted once its header (their lengths) matches it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../meta.js';
import type { FileLine } from './result.js';

/** A set as the cache file holds it: each file's line, its JSON as bytes until a run reads it. */
export interface CachedSet {
  root: string;
  key: string;
  files: (Omit<FileLine, 'json'> & { json: Buffer | string })[];
}

const FILE = 'lint.cache';

/** A file in the header: the byte length of its JSON, its counts and its locks. */
type Entry = [number, number, number, number, [number, string][]];

/**
 * The cache file: the length of its header (4 bytes, little-endian), the header (JSON: per set
 * its root, its key and an `Entry` per file), then each file's JSON in UTF-8, in order. Throws
 * on anything else.
 */
export function decodeCache(bytes: Buffer): CachedSet[] {
  const end = 4 + bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, end)) as [string, string, Entry[]][];
  let at = end;
  const sets = header.map(([root, key, files]) => ({
    root,
    key,
    files: files.map(([length, statements, errors, warnings, locks]) => ({
      json: bytes.subarray(at, (at += length)),
      counts: { statements, errors, warnings },
      locks,
    })),
  }));
  const valid = (file: CachedSet['files'][number]) =>
    Object.values(file.counts).every(Number.isInteger) && Array.isArray(file.locks);
  if (at !== bytes.length || !sets.every((s) => typeof s.key === 'string' && s.files.every(valid)))
    throw new Error('not a lint cache');
  return sets;
}

export function encodeCache(sets: readonly CachedSet[]): Buffer {
  const json = sets.map((set) => set.files.map((file) => Buffer.from(file.json)));
  const header = Buffer.from(
    JSON.stringify(
      sets.map((set, i): [string, string, Entry[]] => [
        set.root,
        set.key,
        set.files.map(({ counts, locks }, j) => [
          json[i]![j]!.length,
          counts.statements,
          counts.errors,
          counts.warnings,
          locks,
        ]),
      ]),
    ),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...json.flat()]);
}

export class LintCache {
  private readonly entries = new Map<string, CachedSet>();
  private changed = false;
  /** The file, for a message about it. */
  readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, FILE);
    try {
      for (const set of decodeCache(readFileSync(this.file))) this.entries.set(set.root, set);
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

  get(root: string, key: string): FileLine[] | undefined {
    const entry = this.entries.get(root);
    if (entry?.key !== key) return undefined;
    return entry.files.map((file) => ({ ...file, json: file.json.toString() }));
  }

  set(root: string, key: string, files: FileLine[]): void {
    this.entries.set(root, { root, key, files });
    this.changed = true;
  }

  /** Writes the cache (whole, then renamed into place, so a reader never sees half of it). */
  save(): void {
    if (!this.changed) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      writeFileSync(tmp, encodeCache([...this.entries.values()]));
      renameSync(tmp, this.file);
    } catch {
      // a read-only checkout lints as fast as without a cache
    }
  }
}
