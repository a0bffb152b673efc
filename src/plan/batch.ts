// How a data change is cut into keyset batches: the table whose key the batches walk (the
// target of an UPDATE or DELETE, the source an INSERT … SELECT reads), the name its rows have
// in the statement, and the statement with a batch's bounds added on its parse tree.
import { parseSync } from 'libpg-query';
import { fromRangeVar, quoteIdent, quoteQualified, type QName } from '../sql/names.js';
import { deparse } from '../sql/rewrite.js';

type Node = Record<string, any>;

/** The relation batches walk, and the name its columns are qualified with in the statement (its alias, else its name). */
export interface BatchDriver {
  table: QName;
  ref: string;
}

/** The statement node of a SQL text holding one statement (the parser must be loaded). */
export function statementNode(sql: string): [string, Node] {
  const parsed = parseSync(sql) as { stmts: Array<{ stmt: Node }> };
  return Object.entries(parsed.stmts[0]!.stmt)[0] as [string, Node];
}

function driverOf(rv: Node): BatchDriver {
  return { table: fromRangeVar(rv as { schemaname?: string; relname: string }), ref: rv.alias?.aliasname ?? rv.relname };
}

/**
 * The first relation of a FROM list that every output row comes from exactly once: a table, or
 * the left side of inner and left joins. Anything else (a subquery, a function, the right side of
 * an outer join, whose rows may be missing) leaves it undefined.
 */
function leadingTable(from: Node | undefined): Node | undefined {
  if (from?.RangeVar) return from.RangeVar;
  const join = from?.JoinExpr;
  if (join && (join.jointype === 'JOIN_INNER' || join.jointype === 'JOIN_LEFT')) return leadingTable(join.larg);
  return undefined;
}

/**
 * Where batches go in an INSERT … SELECT: the SELECT's leading table. A SELECT that computes
 * across rows (GROUP BY, DISTINCT, aggregates' HAVING, LIMIT, a UNION, window functions) would
 * compute per batch instead: the reason why it cannot be batched.
 */
function selectDriver(select: Node | undefined): BatchDriver | string {
  if (!select || (select.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || select.valuesLists) return 'its SELECT is a UNION, INTERSECT or EXCEPT: each batch would combine only its own rows';
  const across = select.groupClause ? 'GROUP BY' : select.distinctClause ? 'DISTINCT' : select.havingClause ? 'HAVING' : select.limitCount || select.limitOffset ? 'LIMIT/OFFSET' : select.windowClause || hasWindow(select.targetList) ? 'a window function' : undefined;
  if (across) return `its SELECT uses ${across}, which computes across rows: per batch it would compute something else`;
  if (hasAggregate(select.targetList)) return 'its SELECT aggregates rows: per batch it would compute something else';
  const first = leadingTable(select.fromClause?.[0]);
  if (!first) return 'its SELECT does not start FROM a table (or starts with the nullable side of an outer join) whose key batches could walk';
  return driverOf(first);
}

function hasWindow(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasWindow);
  if (!node || typeof node !== 'object') return false;
  if ((node as Node).FuncCall?.over) return true;
  if ((node as Node).SubLink) return false;
  return Object.values(node as Node).some(hasWindow);
}

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'bit_and', 'bit_or', 'xmlagg']);

/** An aggregate call outside subqueries (a SELECT list with one aggregates all its rows into one). */
function hasAggregate(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasAggregate);
  if (!node || typeof node !== 'object') return false;
  const call = (node as Node).FuncCall;
  if (call && !call.over && (call.agg_star || call.agg_order || call.agg_filter || AGGREGATES.has(call.funcname?.[call.funcname.length - 1]?.String?.sval))) return true;
  if ((node as Node).SubLink) return false;
  return Object.values(node as Node).some(hasAggregate);
}

/** The relation an UPDATE, DELETE or INSERT … SELECT is batched by, or why it cannot be. */
export function batchDriver(type: string, node: Node): BatchDriver | string {
  if (type === 'UpdateStmt' || type === 'DeleteStmt') return driverOf(node.relation);
  if (type === 'InsertStmt') return selectDriver(node.selectStmt?.SelectStmt);
  return 'only UPDATE, DELETE and INSERT … SELECT are batched';
}

/**
 * `sql` with `predicate` (SQL over `driver.ref`'s columns and parameters) added to the WHERE
 * that selects the driving rows, on the parse tree; RETURNING dropped (a batch returns nothing).
 */
export function withPredicate(sql: string, predicate: string): string {
  const [type, node] = statementNode(sql);
  const where = (statementNode(`SELECT WHERE ${predicate}`)[1] as Node).whereClause as Node;
  const holder: Node = type === 'InsertStmt' ? node.selectStmt.SelectStmt : node;
  holder.whereClause = holder.whereClause ? { BoolExpr: { boolop: 'AND_EXPR', args: [holder.whereClause, where] } } : where;
  delete node.returningClause;
  delete node.returningList;
  return deparse({ [type]: node });
}

/** The statement a backfill runs, whole: one the plan kept, or the UPDATE / DELETE its SET and WHERE make. */
export function backfillStatement(b: { table: QName; set?: string; where?: string; statement?: string }): string {
  if (b.statement !== undefined) return b.statement;
  const table = quoteQualified(b.table);
  return b.set !== undefined ? `UPDATE ${table} SET ${b.set} WHERE ${b.where ?? 'true'}` : `DELETE FROM ${table} WHERE ${b.where ?? 'true'}`;
}

/** `("o"."a", "o"."b")`: the key columns of the driving rows as a row. */
export function keyRow(ref: string | undefined, key: string[]): string {
  const prefix = ref === undefined ? '' : `${quoteIdent(ref)}.`;
  return `(${key.map((k) => `${prefix}${quoteIdent(k)}`).join(', ')})`;
}
