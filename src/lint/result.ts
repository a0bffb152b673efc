// The result of a lint run: plain data that every reporter formats.
import type { Location } from '../sql/source.js';
import type { BaselineOutcome } from './baseline.js';
import type { FileResult } from './engine.js';

export interface LintSummary {
  files: number;
  statements: number;
  errors: number;
  warnings: number;
}

export interface LintResult {
  version: 1;
  files: FileResult[];
  summary: LintSummary;
  /** When a baseline was applied: the findings it held back (not in `files` nor `summary`) and its entries that match nothing now. */
  baseline?: BaselineOutcome;
}

/** What the summary counts of one file. */
export interface FileCounts {
  statements: number;
  errors: number;
  warnings: number;
}

export function countsOf(file: FileResult): FileCounts {
  let errors = 0;
  let warnings = 0;
  for (const f of file.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
  }
  return { statements: file.statements.length, errors, warnings };
}

/** The run's result; `lines` gives the counts of the files made from lines (`fromLine`) without
 *  parsing them. */
export function summarize(files: FileResult[], lines?: ReadonlyMap<FileResult, FileLine>): LintResult {
  const summary: LintSummary = { files: files.length, statements: 0, errors: 0, warnings: 0 };
  for (const file of files) {
    const counts = lines?.get(file)?.counts ?? countsOf(file);
    summary.statements += counts.statements;
    summary.errors += counts.errors;
    summary.warnings += counts.warnings;
  }
  return { version: 1, files, summary };
}

function location(l: Location): Location {
  return { line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn };
}

/** A file as the JSON report has it (`--format json`, CLI.md): its fields as the contract names
 *  them, copied one by one so that a field added to the engine's data does not leak into a
 *  versioned output format unnoticed. */
function reportedFile(file: FileResult) {
  return {
    path: file.path,
    class: file.class,
    statements: file.statements.map((s) => ({
      index: s.index,
      class: s.class,
      kinds: [...s.kinds],
      location: location(s.location),
    })),
    findings: file.findings.map((f) => ({
      rule: f.rule,
      category: f.category,
      severity: f.severity,
      message: f.message,
      help: f.help,
      location: location(f.location),
      docs: f.docs,
    })),
  };
}

/** The JSON of the few strings every line repeats (rule ids, categories, severities, docs paths,
 *  classes, kinds), each made once. */
const quoted = new Map<string, string>();

function q(s: string): string {
  let json = quoted.get(s);
  if (json === undefined) quoted.set(s, (json = JSON.stringify(s)));
  return json;
}

function locationJson(l: Location): string {
  return `{"line":${l.line},"column":${l.column},"endLine":${l.endLine},"endColumn":${l.endColumn}}`;
}

/** A file's line of the JSON report, which the lint cache keeps (cache.ts): the text
 *  JSON.stringify gives `reportedFile`, written out field by field. The file's path, messages and
 *  helps are escaped by one JSON.stringify of them all, split at the `","` between them. */
export function fileJson(file: FileResult): string {
  const statements = file.statements;
  const findings = file.findings;
  const texts: unknown[] = [file.path];
  for (let i = 0; i < findings.length; i++) texts.push(findings[i]!.message, findings[i]!.help);
  // `","` is between two escaped texts, or at the end of one that ends in `",` (`\",` then the `"`
  // that closes it): such a file, and one whose message or help is not a string, is copied and stringified
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (typeof text !== 'string' || text.endsWith('",')) return JSON.stringify(reportedFile(file));
  }
  const escaped = JSON.stringify(texts).slice(2, -2).split('","');
  let line = `{"path":"${escaped[0]}","class":${q(file.class)},"statements":[`;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const kinds = s.kinds;
    let k = kinds.length === 0 ? '' : q(kinds[0]!);
    for (let j = 1; j < kinds.length; j++) k += `,${q(kinds[j]!)}`;
    line += `${i === 0 ? '' : ','}{"index":${s.index},"class":${q(s.class)},"kinds":[${k}],"location":${locationJson(s.location)}}`;
  }
  line += '],"findings":[';
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i]!;
    line += `${i === 0 ? '' : ','}{"rule":${q(f.rule)},"category":${q(f.category)},"severity":${q(f.severity)},"message":"${escaped[2 * i + 1]}","help":"${escaped[2 * i + 2]}","location":${locationJson(f.location)},"docs":${q(f.docs)}}`;
  }
  line += ']}';
  // flat now: the pieces it was joined from are garbage at once, not kept to the end of the report
  line.charCodeAt(0);
  return line;
}

/** A file's result as its line of the JSON report, with what the line leaves out: the summary's
 *  counts, and its findings' locks ([finding, lock]). What the lint cache keeps and a worker
 *  thread posts: the result is parsed from it only when read (`fromLine`), and the JSON report
 *  prints the line as it is. */
export interface FileLine {
  json: string;
  counts: FileCounts;
  locks: [number, string][];
}

export function fileLine(file: FileResult): FileLine {
  const locks: [number, string][] = [];
  const findings = file.findings;
  for (let i = 0; i < findings.length; i++) {
    const lock = findings[i]!.lock;
    if (lock !== undefined) locks.push([i, lock]);
  }
  return { json: fileJson(file), counts: countsOf(file), locks };
}

/** The result a line holds, parsed when one of its fields is first read; a line that does not
 *  parse throws `damaged()`. */
function fromLine(line: FileLine, damaged: () => Error): FileResult {
  let parsed: FileResult | undefined;
  const read = (): FileResult => {
    if (parsed) return parsed;
    try {
      const file = JSON.parse(line.json) as FileResult;
      for (const [finding, lock] of line.locks) file.findings[finding]!.lock = lock;
      parsed = file;
    } catch {
      throw damaged();
    }
    return parsed;
  };
  // each field an own enumerable getter, so that a copy (`{ ...file }`) reads it
  return {
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
}

/** The lines behind a run's results (`LintOutput.lines`): those results were made from (the cache's,
 *  a worker thread's), and those made of results (for the cache), each once. */
export class FileLines extends Map<FileResult, FileLine> {
  /** The result a line holds (`fromLine`), kept with it. */
  resultOf(line: FileLine, damaged: () => Error): FileResult {
    const file = fromLine(line, damaged);
    this.set(file, line);
    return file;
  }

  /** A result's line, made the first time it is asked for. */
  lineOf(file: FileResult): FileLine {
    let line = this.get(file);
    if (!line) this.set(file, (line = fileLine(file)));
    return line;
  }
}
