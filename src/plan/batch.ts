// How a data change is cut into keyset batches: the table whose key the batches walk (the
// target of an UPDATE or DELETE, the source an INSERT … SELECT reads), the name its rows have
// in the statement, and the statement with a batch's bounds added on its parse tree.
import { PlanError } from '../errors.js';
import { fromRangeVar, quoteIdent, quoteLiteral, quoteQualified, type QName } from '../sql/names.js';
import { deparse } from '../sql/rewrite.js';
import { nodeOf } from '../sql/node.js';
import { type PgNode, parseSource } from '../sql/source.js';
import type { SchemaModel } from '../schema/model.js';
import { derivedName } from './sql.js';
import type { Backfill } from './types.js';

/** A backfill as the plan and plan.json carry it. */
type Batched = Omit<Backfill, 'reversible'>;

/** The relation batches walk, and the name its columns are qualified with in the statement (its alias, else its name). */
export interface BatchDriver {
  table: QName;
  ref: string;
}

/** The statement node of a SQL text holding one statement (the parser must be loaded); a plan.json edited into anything else is refused. */
export function statementNode(sql: string): [string, PgNode] {
  const parsed = parseSource('plan.json', sql);
  if (parsed.syntaxError)
    throw new PlanError(
      `plan.json: a backfill statement does not parse (${parsed.syntaxError.message}): re-run \`pgphase plan\``,
    );
  if (parsed.statements.length !== 1)
    throw new PlanError('plan.json: a backfill statement is not one statement: re-run `pgphase plan`');
  return nodeOf(parsed.statements[0]!.node);
}

function driverOf(rv: PgNode): BatchDriver {
  return {
    table: fromRangeVar(rv as { schemaname?: string; relname: string }),
    ref: rv.alias?.aliasname ?? rv.relname,
  };
}

/**
 * The first relation of a FROM list that every output row comes from exactly once: a table, or
 * the left side of inner and left joins. Anything else (a subquery, a function, the right side of
 * an outer join, whose rows may be missing) leaves it undefined.
 */
function leadingTable(from: PgNode | undefined): PgNode | undefined {
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
function selectDriver(select: PgNode | undefined, ctes: Set<string>): BatchDriver | string {
  if (!select || (select.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || select.valuesLists)
    return 'its SELECT is a UNION, INTERSECT or EXCEPT: each batch would combine only its own rows';
  const across = select.groupClause
    ? 'GROUP BY'
    : select.distinctClause
      ? 'DISTINCT'
      : select.havingClause
        ? 'HAVING'
        : select.limitCount || select.limitOffset
          ? 'LIMIT/OFFSET'
          : select.windowClause || calls(select.targetList, isWindow)
            ? 'a window function'
            : undefined;
  if (across) return `its SELECT uses ${across}, which computes across rows: per batch it would compute something else`;
  if (calls(select.targetList, isAggregate))
    return 'its SELECT aggregates rows: per batch it would compute something else';
  const first = leadingTable(select.fromClause?.[0]);
  if (!first)
    return 'its SELECT does not start FROM a table (or starts with the nullable side of an outer join) whose key batches could walk';
  if (first.schemaname === undefined && ctes.has(first.relname))
    return `its SELECT starts FROM the WITH query ${quoteIdent(first.relname)}, which has no key to batch by; put the table it reads first`;
  return driverOf(first);
}

/** Does the tree call, outside its subqueries, a function that `test` picks? */
function calls(node: unknown, test: (call: PgNode) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => calls(n, test));
  if (!node || typeof node !== 'object') return false;
  const call = (node as PgNode).FuncCall;
  if (call && test(call)) return true;
  if ((node as PgNode).SubLink) return false;
  return Object.values(node as PgNode).some((n) => calls(n, test));
}

const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'array_agg',
  'string_agg',
  'bool_and',
  'bool_or',
  'every',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'bit_and',
  'bit_or',
  'xmlagg',
]);

/** A window function, or an aggregate (a SELECT list with one aggregates all its rows into one). */
const isWindow = (call: PgNode) => call.over !== undefined;
const isAggregate = (call: PgNode) =>
  !call.over &&
  (call.agg_star ||
    call.agg_order ||
    call.agg_filter ||
    AGGREGATES.has(call.funcname?.[call.funcname.length - 1]?.String?.sval));

/** The relation an UPDATE, DELETE or INSERT … SELECT is batched by, or why it cannot be. */
export function batchDriver(type: string, node: PgNode): BatchDriver | string {
  if (type === 'UpdateStmt' || type === 'DeleteStmt') return driverOf(node.relation);
  if (type === 'InsertStmt') {
    const select = node.selectStmt?.SelectStmt;
    const ctes = [...(node.withClause?.ctes ?? []), ...(select?.withClause?.ctes ?? [])] as PgNode[];
    return selectDriver(select, new Set(ctes.map((c) => c.CommonTableExpr.ctename as string)));
  }
  return 'only UPDATE, DELETE and INSERT … SELECT are batched';
}

/**
 * `sql` with `predicate` (SQL over `driver.ref`'s columns and parameters) added to the WHERE
 * that selects the driving rows, on the parse tree; RETURNING dropped (a batch returns nothing).
 */
export function withPredicate(sql: string, predicate: string): string {
  const [type, node] = statementNode(sql);
  const where = (statementNode(`SELECT WHERE ${predicate}`)[1] as PgNode).whereClause as PgNode;
  const holder: PgNode = type === 'InsertStmt' ? node.selectStmt.SelectStmt : node;
  holder.whereClause = holder.whereClause
    ? { BoolExpr: { boolop: 'AND_EXPR', args: [holder.whereClause, where] } }
    : where;
  delete node.returningClause;
  delete node.returningList;
  return deparse({ [type]: node });
}

/** The statement a backfill runs, whole: one the plan kept, or the UPDATE / DELETE its SET and WHERE make. */
export function backfillStatement(b: { table: QName; set?: string; where?: string; statement?: string }): string {
  if (b.statement !== undefined) return b.statement;
  const table = quoteQualified(b.table);
  return b.set !== undefined
    ? `UPDATE ${table} SET ${b.set} WHERE ${b.where ?? 'true'}`
    : `DELETE FROM ${table} WHERE ${b.where ?? 'true'}`;
}

/** `("o"."a", "o"."b")`: the key columns of the driving rows as a row. */
export function keyRow(ref: string | undefined, key: string[]): string {
  const prefix = ref === undefined ? '' : `${quoteIdent(ref)}.`;
  return `(${key.map((k) => `${prefix}${quoteIdent(k)}`).join(', ')})`;
}

const EVENT_BITS = { InsertStmt: 4, DeleteStmt: 8, UpdateStmt: 16 } as const;

/** pgphase's own sync triggers end so (copy-column.ts): they keep the running versions' columns
 *  in step and always fire. */
const SYNC_TRIGGER = '_pgphase_sync';

/** What a backfill's statement changes: the table (for an INSERT … SELECT, not the one its batches walk), its event as a pg_trigger.tgtype bit, the columns an UPDATE sets. */
function changeOf(statement: string): { table: QName; event: number; columns: string[] } {
  const [type, node] = statementNode(statement);
  const columns =
    type === 'UpdateStmt' ? ((node.targetList ?? []) as PgNode[]).map((t) => t.ResTarget.name as string) : [];
  return {
    table: fromRangeVar(node.relation as { schemaname?: string; relname: string }),
    event: EVENT_BITS[type as keyof typeof EVENT_BITS],
    columns,
  };
}

/** The table a backfill's statement changes, quoted. */
export function changedTable(statement: string): string {
  return quoteQualified(changeOf(statement).table);
}

/** Notes on a backfill the application's triggers the schema model knows that fire on its batches. */
export function withTriggers(schema: SchemaModel, b: Backfill): void {
  const { table, event, columns } = changeOf(backfillStatement(b));
  const triggers = schema.firingTriggers(table, event, columns).filter((name) => !name.endsWith(SYNC_TRIGGER));
  if (triggers.length) b.triggers = triggers;
}

/**
 * SQL listing the application's triggers that fire on a backfill's batches (`name`, and `enabled`:
 * 'O' or 'A' as in pg_trigger), in name order: enabled triggers on the table the statement changes,
 * for its event (an UPDATE OF trigger when the statement sets one of its columns), except the
 * triggers PostgreSQL makes for foreign keys and pgphase's own sync triggers.
 */
export function firingTriggersSql(statement: string): string {
  const { table, event, columns } = changeOf(statement);
  const of = columns.length
    ? ` AND (t.tgattr = '' OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr::int2[]) AND a.attname IN (${columns.map(quoteLiteral).join(', ')})))`
    : '';
  return `SELECT t.tgname AS name, t.tgenabled AS enabled FROM pg_trigger t WHERE t.tgrelid = to_regclass(${quoteLiteral(quoteQualified(table))}) AND NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND t.tgtype & ${event} <> 0 AND t.tgname NOT LIKE ${quoteLiteral(`%${SYNC_TRIGGER.replace(/_/g, '\\_')}`)}${of} ORDER BY t.tgname`;
}

/**
 * A data change whose batches would each see what earlier batches changed (a DELETE or UPDATE
 * that reads its own table, an INSERT … SELECT that reads its target or computes across rows) is
 * computed once, before the first batch, as the statement run then would: the keys of the rows it
 * changes (with an UPDATE's new values), or the rows an INSERT inserts (numbered), go into a table
 * of their own, which the batches walk and apply, and which the last batch drops.
 */
export function keysTable(b: Batched, planId: string, n: number): string {
  return quoteQualified({ schema: b.table.schema, name: derivedName(`pgphase_keys_${planId}`, String(n)) });
}

/** The name the keys table has in the statements of its batches. */
const KEYS = 'pgphase_keys';

/** The column that numbers an INSERT's rows in its keys table, which its batches walk. */
export const ROW_NUMBER = 'pgphase_n';

/**
 * The statements that make and fill the keys table `keys` of a snapshot backfill (on the parse
 * tree). The columns of an UPDATE's new values and of an INSERT's rows take the types of the
 * columns they go into, so the values are converted as the statement converts them.
 */
export function keysStatements(b: Batched, keys: string): string[] {
  const [type, node] = statementNode(backfillStatement(b));
  const written = quoteQualified(fromRangeVar(node.relation as { schemaname?: string; relname: string }));
  if (type === 'InsertStmt') {
    const columns = ((node.cols ?? []) as PgNode[]).map((c) => quoteIdent(c.ResTarget.name as string));
    const rows = node.selectStmt.SelectStmt as PgNode;
    if (node.withClause)
      rows.withClause = { ...node.withClause, ctes: [...node.withClause.ctes, ...(rows.withClause?.ctes ?? [])] };
    return [
      `CREATE TABLE ${keys} AS SELECT 0::bigint AS ${ROW_NUMBER}, ${columns.join(', ')} FROM ${written} WITH NO DATA`,
      `INSERT INTO ${keys} SELECT row_number() OVER (), pgphase_rows.* FROM (${deparse({ SelectStmt: rows })}) AS pgphase_rows`,
    ];
  }
  const { ref } = driverOf(node.relation);
  const keyRefs = b.key.map((k) => `${quoteIdent(ref)}.${quoteIdent(k)}`).join(', ');
  const [, select] = statementNode(`SELECT DISTINCT ${type === 'UpdateStmt' ? `ON (${keyRefs}) ` : ''}${keyRefs}`);
  select.fromClause = [{ RangeVar: node.relation }, ...((node.usingClause ?? node.fromClause ?? []) as PgNode[])];
  if (node.whereClause) select.whereClause = node.whereClause;
  if (node.withClause) select.withClause = node.withClause;
  if (type === 'DeleteStmt') return [`CREATE TABLE ${keys} AS ${deparse({ SelectStmt: select })}`];
  // an UPDATE: the new values of each row, from one of its matches as UPDATE … FROM takes one
  const sets = ((node.targetList ?? []) as PgNode[]).map((t) => t.ResTarget as PgNode);
  select.targetList.push(...sets.map((t) => ({ ResTarget: { val: t.val } })));
  const alias = node.relation.alias ? ` AS ${quoteIdent(ref)}` : '';
  return [
    `CREATE TABLE ${keys} AS SELECT ${keyRefs}, ${sets.map((t) => `${quoteIdent(ref)}.${quoteIdent(t.name)}`).join(', ')} FROM ${written}${alias} WITH NO DATA`,
    `INSERT INTO ${keys} ${deparse({ SelectStmt: select })}`,
  ];
}

/** What each batch runs: the backfill's statement, or for a snapshot, the statement that applies what `keys` holds. */
export function batchStatement(b: Batched, keys: string | undefined): string {
  if (!b.snapshot || keys === undefined) return backfillStatement(b);
  const [type, node] = statementNode(backfillStatement(b));
  const written = quoteQualified(fromRangeVar(node.relation as { schemaname?: string; relname: string }));
  if (type === 'InsertStmt') {
    const columns = ((node.cols ?? []) as PgNode[]).map((c) => quoteIdent(c.ResTarget.name as string));
    const [, insert] = statementNode(
      `INSERT INTO ${written} (${columns.join(', ')}) SELECT ${columns.map((c) => `${KEYS}.${c}`).join(', ')} FROM ${keys} AS ${KEYS}`,
    );
    // ON CONFLICT and OVERRIDING as written
    return deparse({
      InsertStmt: {
        ...insert,
        ...(node.onConflictClause && { onConflictClause: node.onConflictClause }),
        override: node.override,
      },
    });
  }
  if (type === 'DeleteStmt')
    return `DELETE FROM ${written} USING ${keys} AS ${KEYS} WHERE ${keyRow(b.table.name, b.key)} = ${keyRow(KEYS, b.key)}`;
  const { ref } = driverOf(node.relation);
  const sets = ((node.targetList ?? []) as PgNode[]).map(
    (t) => `${quoteIdent(t.ResTarget.name)} = ${KEYS}.${quoteIdent(t.ResTarget.name)}`,
  );
  const alias = node.relation.alias ? ` AS ${quoteIdent(ref)}` : '';
  return `UPDATE ${written}${alias} SET ${sets.join(', ')} FROM ${keys} AS ${KEYS} WHERE ${keyRow(ref, b.key)} = ${keyRow(KEYS, b.key)}`;
}
