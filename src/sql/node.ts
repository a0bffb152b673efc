// Reading a node of the parser's tree. A module of its own: what imports it (names.ts, which
// every command loads) does not load the parser.
import type { PgNode } from './source.js';

/** A parse tree node's type and fields: `['AlterTableStmt', {…}]` of `{ AlterTableStmt: {…} }`
 *  (a node has one key); `['', {}]` of an empty object. */
export function nodeOf(node: PgNode): [type: string, fields: PgNode] {
  const type = nodeType(node);
  return type === '' ? ['', {}] : [type, node[type]];
}

/** A parse tree node's type: `'AlterTableStmt'` of `{ AlterTableStmt: {…} }`; `''` of an empty
 *  object. Its fields are `node[type]`: for a caller that would take nodeOf's pair apart, whose
 *  destructuring runs the iterator protocol in the baseline code the CLI runs (bin/pgphase.cjs). */
export function nodeType(node: PgNode): string {
  for (const type in node) return type;
  return '';
}

/** The first answer `match` gives for a node of the tree under `node`, depth first, each node seen as
 *  its key and value (`'FuncCall'`, `{ funcname … }`); undefined when it gives none. */
export function firstIn<T>(node: unknown, match: (key: string, value: PgNode) => T | undefined): T | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = firstIn(n, match);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  for (const key in node as PgNode) {
    const value = (node as PgNode)[key];
    const found = match(key, value) ?? firstIn(value, match);
    if (found !== undefined) return found;
  }
  return undefined;
}
