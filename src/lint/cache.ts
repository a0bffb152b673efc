// `lint --cache`: the results of a migration set, kept under a key of everything they depend
// on, so that linting unchanged migrations again costs a hash of their text, not a parse.
// A file's findings depend on every migration before it (the replayed schema), so the unit
// is a set, not a file: one entry per set directory, replaced when anything in it changes.
// A cache that cannot be read is ignored, one that cannot be written is skipped: it only
// ever saves work, it never changes a result.
import { createHash } from 'node:crypto';
import { isAscii } from 'node:buffer';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../meta.js';
import type { FileResult } from './engine.js';

interface Entry {
  key: string;
  files: FileResult[];
}

const FILE = 'lint.json';

/** JSON in ASCII, other characters escaped (rule texts have a few): a string of one byte per
 *  character to read and parse, which one character beyond Latin-1 would make two for the whole file. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class LintCache {
  private readonly entries: Record<string, Entry>;
  private changed = false;

  constructor(private readonly dir: string) {
    let entries: unknown;
    try {
      const bytes = readFileSync(join(dir, FILE));
      // written in ASCII (save): read a byte per character, without decoding UTF-8
      entries = (JSON.parse(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')) as { sets?: unknown }).sets;
    } catch {
      entries = undefined;
    }
    this.entries = typeof entries === 'object' && entries !== null ? (entries as Record<string, Entry>) : {};
  }

  /** A key of the inputs of one set's lint: pgphase's version and whatever the caller adds. */
  key(parts: readonly unknown[]): string {
    const hash = createHash('sha256').update(version);
    for (const part of parts) hash.update('\0').update(typeof part === 'string' ? part : JSON.stringify(part));
    return hash.digest('hex');
  }

  get(root: string, key: string): FileResult[] | undefined {
    const entry = this.entries[root];
    return entry?.key === key && Array.isArray(entry.files) ? entry.files : undefined;
  }

  set(root: string, key: string, files: FileResult[]): void {
    this.entries[root] = { key, files };
    this.changed = true;
  }

  /** Writes the cache (whole, then renamed into place, so a reader never sees half of it). */
  save(): void {
    if (!this.changed) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      writeFileSync(tmp, asciiJson({ sets: this.entries }));
      renameSync(tmp, join(this.dir, FILE));
    } catch {
      // a read-only checkout lints as fast as without a cache
    }
  }
}
