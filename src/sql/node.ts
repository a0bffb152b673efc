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
