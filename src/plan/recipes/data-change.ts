// UPDATE, DELETE and INSERT … SELECT on existing tables become a batched, resumable backfill by
// key: the target's key for UPDATE and DELETE (with an alias, FROM or USING, WITH), the key of
// the table the SELECT reads first for INSERT … SELECT. What batches would each compute otherwise
// is computed once, before the first batch (batch.ts keysTable): the rows a DELETE that reads its
// own table deletes, the new values of an UPDATE that reads what it sets in other rows, the rows
// of an INSERT … SELECT that reads its target or computes across rows, and what a statement
// computes with a volatile function in a part whose result its rows share (a subquery, a FROM
// or USING item other than a table, a WITH query), which each batch would compute anew.
// Refused: what batches would change.
import type { ChangeOf } from '../../sql/changes.js';
import { qkey, quoteIdent, quoteQualified } from '../../sql/names.js';
import { sharedVolatileCall, transactionTime } from '../../sql/volatility.js';
import { deparse, mentionsColumn } from '../../sql/rewrite.js';
import { batchDriver, ROW_NUMBER } from '../batch.js';
import { isRefused, knownTable, refuse, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';
import { nodeOf } from '../../sql/node.js';
import type { PgNode } from '../../sql/source.js';

const DML = new Set(['UpdateStmt', 'DeleteStmt', 'InsertStmt', 'MergeStmt']);

export function dataChange(change: ChangeOf<'data-change'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const out = emptyOutput();
  const [type, node] = nodeOf(context.statement.node);
  const what = change.op === 'insert' ? 'INSERT … SELECT' : change.op.toUpperCase();
  const unbatchable = (why: string) => refuse(`this ${what} cannot be split into key batches: ${why}`, 'backfill');
  if (change.op === 'insert' && !change.fromSelect) {
    out.steps.push(step(context, 'backfill', 'insert', context.statement.text, { lockMode: 'ROW EXCLUSIVE' }));
    return out;
  }
  if (
    change.table.schema === 'pg_catalog' ||
    (change.table.schema === undefined && change.table.name.startsWith('pg_') && !context.schema.table(change.table))
  ) {
    return refuse(
      `this ${what} writes ${change.table.name}, a system catalog PostgreSQL keeps for itself: no phase makes that safe while the application runs; leave the catalog to PostgreSQL (ALTER TABLE … DISABLE TRIGGER, DROP INDEX and CREATE INDEX CONCURRENTLY)`,
      'backfill',
    );
  }
  if (change.op === 'merge')
    return unbatchable(
      'the rows it inserts have no key to batch by; write it as an UPDATE … FROM and an INSERT … SELECT',
    );
  const ctes = (node.withClause?.ctes ?? []) as PgNode[];
  if (!DML.has(type) || ctes.some((c) => DML.has(nodeOf(c.CommonTableExpr?.ctequery ?? {})[0]))) {
    return unbatchable(
      'a WITH query that changes data would run again for every batch; make it a statement of its own',
    );
  }
  const driver = batchDriver(type, node);
  const target = knownTable(context, change.table);
  if (isRefused(target)) return target;
  const t = quoteQualified(target);
  // each batch reads the table as earlier batches left it, the statement as written as it was before
  const selfRead = change.reads.some((r) => qkey(r) === qkey(change.table));
  // a volatile call whose result rows share: each batch would make it again, for its own rows
  const shared = sharedVolatileCall(node);
  const calls =
    shared &&
    `it calls ${shared.call}, ${shared.why}, in a subquery, a FROM item or a WITH query, which each batch would call again`;
  if (change.op === 'insert') {
    const written = ((node.cols ?? []) as PgNode[]).map((c) => c.ResTarget.name as string);
    const generated = written.find(
      (c) => target.columns.get(c)?.generated || target.columns.get(c)?.identity === 'always',
    );
    if (generated)
      return unbatchable(
        `${quoteIdent(generated)} is a generated column; PostgreSQL computes it, a backfill never writes it`,
      );
    // batches by the key of the table the SELECT starts from, unless each batch would compute something else
    const table = typeof driver === 'string' ? undefined : knownTable(context, driver.table);
    if (isRefused(table)) return table;
    const key = table && context.schema.rowKey(table);
    // a table this migration creates may be temporary, which only the statement's own name finds
    const across =
      typeof driver === 'string'
        ? driver
        : selfRead
          ? `its SELECT reads ${t}, the table it inserts into`
          : context.isNewTable(driver.table)
            ? `its SELECT starts FROM ${quoteQualified(table!)}, which this migration creates`
            : !key
              ? `${quoteQualified(table!)} has no primary key or unique NOT NULL key to batch by`
              : calls;
    if (across === undefined && table && key) {
      out.backfills.push({
        table: { schema: table.schema, name: table.name },
        key,
        statement: statementSql(node, type),
        reversible: false,
      });
      return out;
    }
    if (!written.length)
      return unbatchable(
        `${across}; give it a column list, and its rows are computed once, before the first batch, and inserted batch by batch`,
      );
    out.notes.push(
      `the rows this INSERT … SELECT inserts into ${t} are computed once, before its first batch (${across}), kept in a table and inserted batch by batch: rows the application writes after that are not read`,
    );
    out.backfills.push({
      table: { schema: target.schema, name: target.name },
      key: [ROW_NUMBER],
      statement: statementSql(node, type),
      snapshot: true,
      reversible: false,
    });
    return out;
  }
  if (typeof driver === 'string') return unbatchable(driver);
  const table = knownTable(context, driver.table);
  if (isRefused(table)) return table;
  const key = context.schema.rowKey(table);
  if (!key) return refuse(`${quoteQualified(table)} has no primary key or unique NOT NULL key to batch by`, 'backfill');
  // an UPDATE that reads what it sets in other rows: its new values are computed once, before the first batch
  const read = selfRead ? change.setColumns.find((c) => mentionsColumn(node, c)) : undefined;
  const movesKey = change.setColumns.find((c) => key.includes(c));
  if (movesKey)
    return unbatchable(
      `it changes the key column ${quoteIdent(movesKey)} that batches walk by: rows would move ahead of the cursor and change twice`,
    );
  const targets = ((node.targetList ?? []) as PgNode[]).map((x) => x.ResTarget as PgNode);
  const generated = targets.find(
    (x) => table.columns.get(x.name)?.generated || table.columns.get(x.name)?.identity === 'always',
  );
  if (generated)
    return unbatchable(
      `${quoteIdent(generated.name)} is a generated column; PostgreSQL computes it, a backfill never writes it`,
    );
  const joined = node.fromClause ?? node.usingClause;
  if (change.op === 'update' && joined) {
    out.notes.push(
      `UPDATE … FROM on ${t}: a row the join matches more than once is updated once, from one of the matches PostgreSQL picks, as when the statement runs as written; each batch holds all of a row's matches`,
    );
  }
  if (ctes.length) out.notes.push(`the WITH query of the data change on ${t} runs again in every batch`);
  const time = transactionTime(node);
  if (time)
    out.notes.push(
      `${time} in the data change on ${t} is the time each batch starts: rows get the time of their batch, not one time for all`,
    );
  // a statement that reads its own table: what it writes is worked out once, before the first batch, and kept
  const snapshotted = (note: string) => {
    out.notes.push(note);
    out.backfills.push({
      table: { schema: table.schema, name: table.name },
      key,
      statement: statementSql(node, type),
      snapshot: true,
      reversible: false,
    });
    return out;
  };
  if (change.op === 'delete' && (selfRead || calls)) {
    // batches would each read the table as earlier ones left it, or choose anew: the rows are chosen first, at once
    return snapshotted(
      `the rows this DELETE removes from ${t} are chosen once, before its first batch (${calls ? `${calls}; ` : ''}the keys kept in a table until the last batch): rows written after that are not deleted`,
    );
  }
  const why = read !== undefined ? `it reads ${t} again and mentions ${quoteIdent(read)}, which it sets` : calls;
  if (why !== undefined && change.op === 'update') {
    if (targets.some((x) => x.indirection || x.val?.MultiAssignRef)) {
      return unbatchable(
        `${why}, and sets part of a column or a list of columns: write SET c = … for each column, and its new values are computed once, before the first batch`,
      );
    }
    return snapshotted(
      `the new values this UPDATE writes into ${t} are computed once, before its first batch (${why}), kept in a table and written batch by batch: a row the application changes after that still gets the value computed before`,
    );
  }
  // `SET c = c` changes no value: the statement is written for the triggers it fires
  const ref = node.relation.alias?.aliasname ?? node.relation.relname;
  const fires =
    change.op === 'update' && targets.every((x) => !x.indirection && sameColumn(x.val, x.name, ref))
      ? { fireTriggers: true as const }
      : {};
  const plain =
    !node.relation.alias &&
    !joined &&
    !ctes.length &&
    !node.returningClause &&
    targets.every((x) => !x.indirection && !x.val?.MultiAssignRef);
  if (!plain) {
    out.backfills.push({
      table: { schema: table.schema, name: table.name },
      key,
      statement: statementSql(node, type),
      reversible: false,
      ...fires,
    });
    return out;
  }
  const where = change.where ? deparse(change.where.node) : 'true';
  if (change.op === 'delete') {
    out.backfills.push({ table: { schema: table.schema, name: table.name }, key, where, reversible: false });
    return out;
  }
  const set = targets.map((x) => `${quoteIdent(x.name)} = ${deparse(x.val)}`).join(', ');
  out.backfills.push({
    table: { schema: table.schema, name: table.name },
    key,
    set,
    where,
    reversible: false,
    ...fires,
  });
  return out;
}

/** Is `value` the column `column` of the row being updated (`c`, or `t.c` with the target's name `ref`)? */
function sameColumn(value: PgNode | undefined, column: string, ref: string): boolean {
  const fields = ((value?.ColumnRef?.fields ?? []) as PgNode[]).map((f) => f.String?.sval as string | undefined);
  return fields[fields.length - 1] === column && (fields.length === 1 || (fields.length === 2 && fields[0] === ref));
}

/** The statement as batches run it: without RETURNING, whose rows nobody reads. */
function statementSql(node: PgNode, type: string): string {
  const { returningClause: _, returningList: __, ...rest } = node;
  return deparse({ [type]: rest });
}
