// Rewrites of user expressions on the parse tree (never on their text), and printing
// them back as SQL with the deparser.
import { deparseSync } from 'pgsql-deparser';

type Node = Record<string, any>;

/** A deep copy of a parse tree in which column `from` is called `to` (column references and index elements). */
export function renameColumnIn<T>(node: T, from: string, to: string): T {
  if (Array.isArray(node)) return node.map((n) => renameColumnIn(n, from, to)) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'ColumnRef') {
      const fields = (value as Node).fields as Node[] | undefined;
      const last = fields?.[fields.length - 1]?.String?.sval;
      out[key] = last === from ? { ...value, fields: [...fields!.slice(0, -1), { String: { sval: to } }] } : renameColumnIn(value, from, to);
    } else if (key === 'IndexElem' && (value as Node).name === from) {
      out[key] = { ...renameColumnIn(value, from, to), name: to };
    } else out[key] = renameColumnIn(value, from, to);
  }
  return out as T;
}

/** SQL text of a parse-tree node (an expression, an index element, a statement). */
export function deparse(node: Node): string {
  return deparseSync(node as never, { pretty: false });
}
