// The baseline of an existing history: today's findings, recorded by rule, file and a
// fingerprint of the statement they are about (its text without comments, whitespace
// collapsed), so that later runs report only new findings however the lines around move.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from '../files.js';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseSource, type Location, type SourceFile } from '../sql/source.js';
import type { FileResult } from './engine.js';
import type { Finding } from './rule.js';

const entrySchema = z.strictObject({
  rule: z.string(),
  /** relative to the baseline file's directory, '/'-separated */
  file: z.string(),
  fingerprint: z.string(),
  count: z.int().min(1),
});

const baselineSchema = z.strictObject({
  version: z.literal(1),
  entries: z.array(entrySchema),
});

export type BaselineEntry = z.infer<typeof entrySchema>;

/** What a baseline did to a run: the findings it held back, and its entries that match nothing any more. */
export interface BaselineOutcome {
  /** the baseline file as the user would see it */
  file: string;
  suppressed: { errors: number; warnings: number };
  /** entries of files this run linted (or that are gone) that matched no finding: fixed, or the statement changed */
  stale: BaselineEntry[];
}

/** Reads a baseline; `undefined` when the file does not exist. */
export async function readBaseline(path: string, shown: string): Promise<BaselineEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(
      `${shown}: cannot read the baseline (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${shown}: not JSON (${(error as Error).message}); rewrite it with \`pgphase lint --write-baseline\``,
    );
  }
  const parsed = baselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      `${shown}: not a pgphase baseline (${issue.path.join('.') || 'top level'}: ${issue.message}); rewrite it with \`pgphase lint --write-baseline\``,
    );
  }
  return parsed.data.entries;
}

/** Writes the baseline whole or not at all (a temporary file renamed into place), sorted so that it diffs well. */
export async function writeBaseline(path: string, entries: readonly BaselineEntry[]): Promise<void> {
  const sorted = [...entries].sort(
    (a, b) => compare(a.file, b.file) || compare(a.rule, b.rule) || compare(a.fingerprint, b.fingerprint),
  );
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, entries: sorted }, null, 2)}\n`);
  await rename(temporary, path);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys findings by rule, file (relative to the baseline) and statement fingerprint. */
class Keys {
  private readonly parsed = new Map<string, SourceFile>();

  constructor(
    private readonly baselineDir: string,
    private readonly cwd: string,
    private readonly sources: ReadonlyMap<string, string>,
  ) {}

  file(path: string): string {
    const abs = isAbsolute(path) ? path : resolve(this.cwd, path);
    return relative(this.baselineDir, abs).split(sep).join('/');
  }

  key(file: FileResult, finding: Finding): string {
    return keyOf({
      rule: finding.rule,
      file: this.file(file.path),
      fingerprint: this.fingerprint(file.path, finding.location),
    });
  }

  /** The fingerprint of the statement a finding is about, or of its own lines when it is about none (a syntax error, an ignore comment). */
  fingerprint(path: string, at: Location): string {
    let source = this.parsed.get(path);
    if (!source) this.parsed.set(path, (source = parseSource(path, this.sources.get(path) ?? '')));
    const statement = source.statements.find(
      (s) =>
        before(s.location.line, s.location.column, at.line, at.column) &&
        before(at.line, at.column, s.location.endLine, s.location.endColumn),
    );
    let text: string;
    if (statement) {
      // the statement's bytes with its comments blanked: a comment edited inside it changes nothing
      const bytes = Buffer.from(source.lines.bytes.subarray(statement.start, statement.end));
      for (const comment of source.comments) {
        if (comment.end <= statement.start || comment.start >= statement.end) continue;
        bytes.fill(
          0x20,
          Math.max(comment.start, statement.start) - statement.start,
          Math.min(comment.end, statement.end) - statement.start,
        );
      }
      text = bytes.toString('utf8');
    } else {
      text = Array.from({ length: at.endLine - at.line + 1 }, (_, i) => source.lines.lineText(at.line + i)).join('\n');
    }
    return createHash('sha256').update(text.replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16);
  }
}

const keyOf = (e: Pick<BaselineEntry, 'rule' | 'file' | 'fingerprint'>) => `${e.rule}\0${e.file}\0${e.fingerprint}`;

function before(line: number, column: number, line2: number, column2: number): boolean {
  return line < line2 || (line === line2 && column <= column2);
}

/**
 * The files without the findings the baseline has (as many of each as it counts), and its
 * entries that matched nothing, among those of the files this run linted or that are gone.
 * `sources` holds the linted text of each file.
 */
export function applyBaseline(
  files: readonly FileResult[],
  sources: ReadonlyMap<string, string>,
  entries: readonly BaselineEntry[],
  where: { path: string; shown: string; cwd: string },
): { files: FileResult[]; outcome: BaselineOutcome } {
  const keys = new Keys(dirname(where.path), where.cwd, sources);
  // what is left of each entry (the same key twice in a hand-edited file adds up)
  const left = new Map<string, BaselineEntry>();
  for (const e of entries) {
    const seen = left.get(keyOf(e));
    if (seen) seen.count += e.count;
    else left.set(keyOf(e), { ...e });
  }
  const suppressed = { errors: 0, warnings: 0 };
  const kept = files.map((file) => ({
    ...file,
    findings: file.findings.filter((finding) => {
      const entry = left.get(keys.key(file, finding));
      if (!entry || entry.count === 0) return true;
      entry.count--;
      if (finding.severity === 'error') suppressed.errors++;
      else suppressed.warnings++;
      return false;
    }),
  }));
  const linted = new Set(files.map((f) => keys.file(f.path)));
  const stale = [...left.values()].filter(
    (e) => e.count > 0 && (linted.has(e.file) || !existsSync(resolve(dirname(where.path), e.file))),
  );
  return { files: kept, outcome: { file: where.shown, suppressed, stale } };
}

/**
 * The baseline of this run's findings, keeping the entries of files it did not lint (a run of
 * a few files does not forget the others) and dropping those of files that are gone.
 */
export function baselineOf(
  files: readonly FileResult[],
  sources: ReadonlyMap<string, string>,
  previous: readonly BaselineEntry[],
  where: { path: string; cwd: string },
): BaselineEntry[] {
  const keys = new Keys(dirname(where.path), where.cwd, sources);
  const counts = new Map<string, BaselineEntry>();
  for (const file of files) {
    for (const finding of file.findings) {
      const entry = {
        rule: finding.rule,
        file: keys.file(file.path),
        fingerprint: keys.fingerprint(file.path, finding.location),
        count: 1,
      };
      const seen = counts.get(keyOf(entry));
      if (seen) seen.count++;
      else counts.set(keyOf(entry), entry);
    }
  }
  const linted = new Set(files.map((f) => keys.file(f.path)));
  const kept = previous.filter((e) => !linted.has(e.file) && existsSync(resolve(dirname(where.path), e.file)));
  return [...kept, ...counts.values()];
}
