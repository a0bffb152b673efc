// Rewrites of user expressions on the parse tree (never on their text), and printing
// them back as SQL with the deparser.
import { createRequire } from 'node:module';
import type { PgNode } from './source.js';
import { quoteIdent } from './names.js';
import { firstIn } from './node.js';

// The deparser loads on first use (a lint that reads no expression text never needs it);
// it is CommonJS, so require keeps `deparse` synchronous.
let deparser: typeof import('pgsql-deparser') | undefined;

/**
 * A deep copy of a parse tree in which column `from` is called `to` (column references and
 * index elements). With `record`, references become `record.to` (e.g. NEW."a" in a trigger).
 */
export function renameColumnIn<T>(node: T, from: string, to: string, record?: string): T {
  if (Array.isArray(node)) return node.map((n) => renameColumnIn(n, from, to, record)) as T;
  if (!node || typeof node !== 'object') return node;
  const out: PgNode = {};
  for (const [key, value] of Object.entries(node as PgNode)) {
    if (key === 'ColumnRef') {
      const fields = (value as PgNode).fields as PgNode[] | undefined;
      const last = fields?.[fields.length - 1]?.String?.sval;
      const renamed =
        record === undefined
          ? [...fields!.slice(0, -1), { String: { sval: to } }]
          : [{ String: { sval: record } }, { String: { sval: to } }];
      out[key] = last === from ? { ...value, fields: renamed } : renameColumnIn(value, from, to, record);
    } else if (key === 'IndexElem' && (value as PgNode).name === from) {
      out[key] = { ...renameColumnIn(value, from, to, record), name: to };
    } else out[key] = renameColumnIn(value, from, to, record);
  }
  return out as T;
}

/** Does the parse tree refer to column `name` (a column reference or an index element)? */
export function mentionsColumn(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentionsColumn(n, name));
  if (!node || typeof node !== 'object') return false;
  for (const [key, value] of Object.entries(node as PgNode)) {
    if (key === 'ColumnRef') {
      const fields = (value as PgNode).fields as PgNode[] | undefined;
      if (fields?.[fields.length - 1]?.String?.sval === name) return true;
    } else if (key === 'IndexElem' && (value as PgNode).name === name) return true;
    if (mentionsColumn(value, name)) return true;
  }
  return false;
}

/** Does an index definition (its elements, and the tree of its WHERE) use column `name`? The WHERE's
 *  text is not read: a walk over its accessor would deparse it for nothing. */
export function indexMentions(
  definition: { elements: readonly PgNode[]; where?: { node: PgNode } },
  name: string,
): boolean {
  return (
    mentionsColumn(definition.elements, name) ||
    (definition.where !== undefined && mentionsColumn(definition.where.node, name))
  );
}

/** Does the parse tree hold the string constant `value`? */
export function mentionsString(node: unknown, value: string): boolean {
  return firstIn(node, (key, v) => (key === 'A_Const' && v.sval?.sval === value) || undefined) === true;
}

/** The nodes whose names the deparser prints as they are, and those names' fields: unquoted, PostgreSQL
 *  folds `"Ranked"` to `ranked` (which then names no CTE) and refuses `select`. */
const RAW_NAMES: Record<string, readonly string[]> = {
  CommonTableExpr: ['ctename'],
  WindowDef: ['name', 'refname'],
  // a function's OVER holds its window definition in place
  over: ['name', 'refname'],
  join_using_alias: ['aliasname'],
};

/** A copy of a tree whose raw-printed names (RAW_NAMES) are quoted, so that the deparser prints them as written. */
function withRawNamesQuoted<T>(node: T, key?: string): T {
  if (Array.isArray(node)) return node.map((n) => withRawNamesQuoted(n)) as T;
  if (!node || typeof node !== 'object') return node;
  const names = key === undefined ? undefined : RAW_NAMES[key];
  const out: PgNode = {};
  for (const [k, value] of Object.entries(node as PgNode))
    out[k] = names?.includes(k) && typeof value === 'string' ? quoteIdent(value) : withRawNamesQuoted(value, k);
  return out as T;
}

/** SQL text of a parse-tree node (an expression, an index element, a statement). */
export function deparse(node: PgNode): string {
  deparser ??= createRequire(import.meta.url)('pgsql-deparser') as typeof import('pgsql-deparser');
  const raw = firstIn(node, (key) => key in RAW_NAMES || undefined);
  return deparser.deparseSync((raw ? withRawNamesQuoted(node) : node) as never, { pretty: false });
}
