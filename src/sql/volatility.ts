// Whether a column default makes ADD COLUMN rewrite the table. Since PostgreSQL 11 a
// non-volatile default is stored in the catalog and existing rows read it from there;
// a volatile one is evaluated for every existing row, which rewrites the table.
import type { ColumnSpec } from './changes.js';

/** Functions known not to be volatile (stable or immutable): defaults calling them are stored once. */
const NON_VOLATILE = new Set([
  'now',
  'statement_timestamp',
  'transaction_timestamp',
  'current_setting',
  'lower',
  'upper',
  'length',
  'coalesce',
  'to_timestamp',
  'to_date',
  'make_date',
  'make_interval',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'array_fill',
  'concat',
  'md5',
]);

type Node = Record<string, any>;

/** The first function a default calls that is (or may be) volatile, or undefined when none is. */
function volatileCall(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = volatileCall(n);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'FuncCall') {
      const parts = ((value as Node).funcname ?? []).map((n: Node) => n.String?.sval as string);
      const name = parts[parts.length - 1] ?? '';
      if (!NON_VOLATILE.has(name)) return `${name}()`;
    }
    // a subquery could return anything per row
    if (key === 'SubLink') return 'a subquery';
    const found = volatileCall(value);
    if (found) return found;
  }
  return undefined;
}

/** Why adding this column rewrites the table on `pgVersion`, or undefined when it does not. */
export function addColumnRewrite(column: ColumnSpec, pgVersion: number): string | undefined {
  if (column.generated?.kind === 'stored') return 'a stored generated column is computed for every existing row';
  if (column.identity) return 'an identity column fills every existing row from its sequence';
  if (['serial', 'bigserial', 'smallserial'].includes(column.type.name)) return `${column.type.name} fills every existing row from its sequence`;
  if (!column.default || column.default.node.A_Const?.isnull === true) return undefined;
  if (pgVersion < 11) return `before PostgreSQL 11 any default is written into every existing row`;
  const call = volatileCall(column.default.node);
  return call ? `the default calls ${call}, which is volatile (or not known to be stable), so it is evaluated for every existing row` : undefined;
}
