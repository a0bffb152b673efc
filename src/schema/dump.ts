// The starting schema from a `pg_dump --schema-only` file.
import { readFile } from '../files.js';
import { InputError } from '../errors.js';
import type { Change } from '../sql/changes.js';
import { normalizeStatement } from '../sql/normalize.js';
import { loadParser, parseSource } from '../sql/source.js';

/** Blanks psql meta-commands (`\connect`, `\restrict` …) that pg_dump writes; they are not SQL. */
export function withoutMetaCommands(text: string): string {
  return text.replace(/^\\.*$/gm, (line) => ' '.repeat(line.length));
}

/** The changes a schema dump makes, to replay into a SchemaModel. */
export async function readSchemaDump(file: string): Promise<Change[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read schema file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await loadParser();
  const source = parseSource(file, withoutMetaCommands(text));
  if (source.syntaxError) {
    const { line, column } = source.syntaxError.location;
    throw new InputError(`${file}:${line}:${column}: schema file does not parse: ${source.syntaxError.message}`);
  }
  return source.statements.flatMap(normalizeStatement);
}
