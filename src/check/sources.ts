// The application's queries, read from where a team has them: a file of SQL statements (what an
// ORM logs, `$n` parameters allowed), a pg_stat_statements export (CSV or JSON with a `query`
// field), pg_stat_statements of a running database, or PostgreSQL's own log (log_statement /
// log_min_duration_statement lines, stderr or jsonlog). Each statement is parsed with the real
// grammar; duplicates and pgphase's own statements are dropped, and statements PREPARE cannot
// take (utility statements: SET, BEGIN, DDL …) are skipped and counted.
import { readFile } from '../files.js';
import { extname, resolve } from 'node:path';
import { DatabaseError, InputError } from '../errors.js';
import { quoteIdent } from '../sql/names.js';
import { fingerprint } from '../sql/normalize.js';
import { lex } from '../sql/lexer.js';
import { nodeOf } from '../sql/node.js';
import { loadParser, type PgNode, parseSource, type SourceFile, type Statement } from '../sql/source.js';

/** Text read from a source; `file`: a SQL file, whose statements are placed by line. */
export interface QueryText {
  text: string;
  origin: string;
  file?: true;
}

/** One statement of the application, as PREPARE takes it. */
export interface Query {
  text: string;
  /** Where it was read: `file:line`, `file row N`, or `pg_stat_statements`. */
  origin: string;
  node: PgNode;
  /** The highest `$n` it uses. */
  params: number;
}

export interface QuerySet {
  queries: Query[];
  /** Statements read, before any was dropped. */
  read: number;
  duplicates: number;
  /** pgphase's own statements (its state schema, its reads of pg_stat_statements). */
  own: number;
  /** Statements PREPARE cannot take (SET, BEGIN, DDL, COPY …). */
  utility: number;
  /** Statements that do not parse (pg_stat_statements writes `interval $1` for `interval '1 day'`), with the first few. */
  unparsed: number;
  unparsedExamples: string[];
}

/** The statements PREPARE takes. */
const PLANNABLE = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Marks the statements pgphase sends to read queries, so that a later read drops them. */
export const OWN_MARKER = '/* pgphase check */';

/** The schema of pgphase's state (src/runner/state.ts). */
const OWN_SCHEMA = 'pgphase';

export type SourceFormat = 'sql' | 'csv' | 'json' | 'log';

/** A source's format from its file name: `.csv`, `.json`/`.jsonl`/`.ndjson`, `.log`; else SQL, unless its lines are PostgreSQL log lines. */
export function formatOf(path: string, text: string): SourceFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return 'json';
  if (ext === '.log' || LOG_ENTRY.test(text.slice(0, 10_000))) return 'log';
  return 'sql';
}

/** Reads one query source file; its format from its name (formatOf). */
export async function readQueryFile(path: string, display = path): Promise<QueryText[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `${display}: cannot read the queries (${(error as NodeJS.ErrnoException).code ?? 'error'}); give a .sql, .csv, .json or .log file`,
    );
  }
  const format = formatOf(path, text);
  if (format === 'csv') return csvQueries(text, display);
  if (format === 'json') return jsonQueries(text, display);
  if (format === 'log') return logQueries(text, display);
  return [{ text, origin: display, file: true }];
}

/** Reads pg_stat_statements of the database at `url`, read-only: the statements of its current database. */
export async function readStatStatements(url: string): Promise<QueryText[]> {
  const { connect } = await import('../runner/connect.js');
  const client = await connect(url);
  try {
    await client.query('BEGIN READ ONLY');
    // the extension's schema, which need not be on the search path (some hosts install it in `extensions`)
    const { rows: schemas } = await client.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
    );
    const schema = schemas[0]?.schema;
    if (schema === undefined)
      throw new DatabaseError(
        "cannot read pg_stat_statements: the database has no such extension; it needs `CREATE EXTENSION pg_stat_statements` and shared_preload_libraries = 'pg_stat_statements'",
      );
    const { rows } = await client
      .query<{ query: string }>(
        `${OWN_MARKER} SELECT s.query FROM ${quoteIdent(schema)}.pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() ORDER BY s.calls DESC`,
      )
      .catch((error: Error) => {
        throw new DatabaseError(
          `cannot read pg_stat_statements (${error.message}): the server needs shared_preload_libraries = 'pg_stat_statements'`,
        );
      });
    return rows.map((r) => ({ text: r.query, origin: 'pg_stat_statements' }));
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/** The `query` column of a CSV file with a header row (RFC 4180 quoting; psql `\copy … CSV HEADER` writes it). */
function csvQueries(text: string, display: string): QueryText[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted || (c !== ',' && c !== '\n' && c !== '\r')) field += c;
    else {
      row.push(field);
      field = '';
      if (c === ',') continue;
      if (c === '\r' && text[i + 1] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const column = rows[0]?.findIndex((h) => h.trim().toLowerCase() === 'query') ?? -1;
  if (column < 0)
    throw new InputError(
      `${display}: no \`query\` column in the header row; export it with \`\\copy (SELECT query FROM pg_stat_statements) TO 'queries.csv' CSV HEADER\``,
    );
  return rows.slice(1).flatMap((r, i) => (r[column] ? [{ text: r[column]!, origin: `${display} row ${i + 2}` }] : []));
}

/** A JSON array of objects, or one object per line: `query` (pg_stat_statements) or `message` (PostgreSQL's jsonlog). */
function jsonQueries(text: string, display: string): QueryText[] {
  let items: unknown[];
  try {
    const trimmed = text.trim();
    items = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown);
  } catch (error) {
    throw new InputError(
      `${display}: not JSON (${(error as Error).message}); give an array of objects with a \`query\` field, or one object per line`,
    );
  }
  return items.flatMap((item, i) => {
    const origin = `${display} item ${i + 1}`;
    const o = item as { query?: unknown; message?: unknown };
    if (typeof o?.query === 'string') return [{ text: o.query, origin }];
    if (typeof o?.message === 'string') {
      const found = statementOf(o.message);
      return found === undefined ? [] : [{ text: found, origin }];
    }
    throw new InputError(
      `${origin}: no \`query\` field; export pg_stat_statements with \`SELECT json_agg(json_build_object('query', query)) FROM pg_stat_statements\``,
    );
  });
}

/** The start of a log entry that holds a statement: `LOG:  statement: …`, `LOG:  duration: 1.2 ms  execute <unnamed>: …`. */
const LOG_ENTRY =
  /(?:^|\n)[^\n]*\bLOG:\s+(?:duration: [\d.]+ ms\s+)?(?:statement|execute [^:\n]*|parse [^:\n]*|bind [^:\n]*):\s/;

/** The statement of a log message (without the prefix up to `LOG:  `), or undefined for another message. */
function statementOf(message: string): string | undefined {
  const m = /^(?:duration: [\d.]+ ms\s+)?(?:statement|execute [^:]*|parse [^:]*|bind [^:]*):\s([\s\S]*)$/.exec(message);
  return m?.[1];
}

/** Statements of a stderr log: an entry is a line with `LOG:  ` and the lines after it that start with a tab. */
function logQueries(text: string, display: string): QueryText[] {
  const lines = text.split(/\r?\n/);
  const out: QueryText[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.indexOf('LOG:  ');
    if (at < 0) continue;
    const entry = [lines[i]!.slice(at + 'LOG:  '.length)];
    const first = i + 1;
    while (lines[i + 1]?.startsWith('\t')) entry.push(lines[++i]!.slice(1));
    const found = statementOf(entry.join('\n'));
    if (found !== undefined) out.push({ text: found, origin: `${display}:${first}` });
  }
  return out;
}

/** The highest `$n` a parse tree uses. */
function paramCount(node: unknown): number {
  let max = 0;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [key, value] of Object.entries(n)) {
        if (key === 'ParamRef') max = Math.max(max, (value as { number?: number }).number ?? 0);
        else walk(value);
      }
    }
  };
  walk(node);
  return max;
}

/** Whether a statement names a relation in pgphase's state schema, or carries pgphase's marker (in `text`: it and the comments before it). */
function isOwn(statement: Statement, text: string): boolean {
  if (text.includes(OWN_MARKER)) return true;
  let own = false;
  const walk = (n: unknown): void => {
    if (own) return;
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [key, value] of Object.entries(n)) {
        if (key === 'RangeVar' && (value as { schemaname?: string }).schemaname === OWN_SCHEMA) own = true;
        else walk(value);
      }
    }
  };
  walk(statement.node);
  return own;
}

/** A SQL file that does not parse as a whole, cut at the semicolons that end statements (not those in strings or comments), each piece placed by the line of its first token. */
function pieces(source: SourceFile): QueryText[] {
  const bytes = source.lines.bytes;
  const { code, comments } = lex(bytes);
  const covered = new Uint8Array(bytes.length);
  for (const spans of [code, comments])
    for (let k = 0; k < spans.length; k += 2) covered.fill(1, spans[k], spans[k + 1]);
  const out: QueryText[] = [];
  let start = 0;
  let run = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && (bytes[i] !== 0x3b || covered[i])) continue;
    while (run < code.length && code[run]! < start) run += 2;
    if (run < code.length && code[run]! < i)
      out.push({
        text: source.lines.slice(start, i),
        origin: `${source.path}:${source.lines.position(code[run]!).line}`,
      });
    start = i + 1;
  }
  return out;
}

/** Parses the texts read into one query set: each text may hold several statements. */
export async function querySet(texts: QueryText[]): Promise<QuerySet> {
  await loadParser();
  const set: QuerySet = { queries: [], read: 0, duplicates: 0, own: 0, utility: 0, unparsed: 0, unparsedExamples: [] };
  const seen = new Set<string>();
  const queue = [...texts];
  for (const { text, origin, file } of queue) {
    const source = parseSource(origin, text);
    // one statement that does not parse must not hide the others of a file
    if (source.syntaxError && file) {
      queue.push(...pieces(source));
      continue;
    }
    if (source.syntaxError) {
      set.read++;
      set.unparsed++;
      if (set.unparsedExamples.length < 5) set.unparsedExamples.push(`${origin}: ${source.syntaxError.message}`);
      continue;
    }
    let from = 0;
    for (const statement of source.statements) {
      set.read++;
      const [kind] = nodeOf(statement.node);
      const written = source.lines.slice(from, statement.end);
      from = statement.end;
      if (isOwn(statement, written)) set.own++;
      // SELECT … INTO creates a table: a utility statement in PREPARE's eyes
      else if (!PLANNABLE.has(kind) || statement.node.SelectStmt?.intoClause) set.utility++;
      else {
        const key = fingerprint(statement.node);
        if (seen.has(key)) set.duplicates++;
        else {
          seen.add(key);
          set.queries.push({
            text: statement.text,
            origin: file ? `${origin}:${statement.location.line}` : origin,
            node: statement.node,
            params: paramCount(statement.node),
          });
        }
      }
    }
  }
  return set;
}

/** Where a version's queries come from: files (any format above) and the pg_stat_statements of a database. */
export interface QuerySources {
  files?: string[];
  statStatementsUrl?: string;
}

/** Reads every source of one version into one query set; relative paths from `cwd`. */
export async function readQuerySources(sources: QuerySources, cwd: string): Promise<QuerySet> {
  const texts: QueryText[] = [];
  for (const file of sources.files ?? []) texts.push(...(await readQueryFile(resolve(cwd, file), file)));
  if (sources.statStatementsUrl !== undefined) texts.push(...(await readStatStatements(sources.statStatementsUrl)));
  return querySet(texts);
}
