// Whether a column default makes ADD COLUMN rewrite the table. Since PostgreSQL 11 a
// non-volatile default is stored in the catalog and existing rows read it from there;
// a volatile one is evaluated for every existing row, which rewrites the table. A NULL
// default is no default at all: PostgreSQL stores none.
import { NON_VOLATILE_BUILTINS, VOLATILE_BUILTINS } from './builtin-volatility.js';
import type { ColumnSpec, Expr } from './changes.js';
import { serialInteger } from './type-change.js';
import type { PgNode } from './source.js';

/** Whether an expression is NULL, cast or not (`NULL::int`, `CAST(NULL AS int)`): as a default, that is no default. */
function isNull(node: PgNode): boolean {
  if (node.TypeCast) return isNull(node.TypeCast.arg ?? {});
  return node.A_Const?.isnull === true;
}

/** Whether a column gets a default value other than NULL. */
export function hasDefault(column: Pick<ColumnSpec, 'default'>): column is { default: Expr } {
  return column.default !== undefined && !isNull(column.default.node);
}

/**
 * Why a function call may be volatile, or undefined when it is not. Built-ins are judged by
 * name (pg_catalog comes first on any search_path); a function of another schema, or one
 * PostgreSQL does not ship, may be volatile.
 */
function callVolatility(funcname: PgNode[]): string | undefined {
  const parts: string[] = funcname.map((n) => n.String?.sval ?? '');
  const name = parts[parts.length - 1] ?? '';
  const schema = parts[parts.length - 2];
  const builtin = schema === undefined || schema === 'pg_catalog';
  if (builtin && NON_VOLATILE_BUILTINS.has(name)) return undefined;
  const shown = `${builtin ? '' : `${schema}.`}${name}()`;
  if (builtin && VOLATILE_BUILTINS.has(name))
    return `the default calls ${shown}, which is volatile, so it is evaluated for every existing row`;
  return `the default calls ${shown}, which is not a built-in function known to be stable or immutable, so it is taken to be evaluated for every existing row`;
}

/** Why a default is (or may be) evaluated for every existing row, or undefined when it is evaluated once. */
function volatileCall(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = volatileCall(n);
      if (found) return found;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node as PgNode)) {
    if (key === 'FuncCall') {
      const found = callVolatility((value as PgNode).funcname ?? []);
      if (found) return found;
    }
    // a subquery could return anything per row
    if (key === 'SubLink') return 'the default runs a subquery, which is taken to be evaluated for every existing row';
    const found = volatileCall(value);
    if (found) return found;
  }
  return undefined;
}

/** Why adding this column rewrites the table on `pgVersion`, or undefined when it does not. */
export function addColumnRewrite(column: ColumnSpec, pgVersion: number): string | undefined {
  if (column.generated?.kind === 'stored') return 'a stored generated column is computed for every existing row';
  if (column.identity) return 'an identity column fills every existing row from its sequence';
  if (serialInteger(column.type)) return `${column.type.name} fills every existing row from its sequence`;
  if (!hasDefault(column)) return undefined;
  if (pgVersion < 11) return `before PostgreSQL 11 any default is written into every existing row`;
  return volatileCall(column.default.node);
}
