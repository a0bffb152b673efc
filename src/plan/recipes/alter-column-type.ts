// Change column type t.a : T1 → T2 [USING expr]. A widening the old version tolerates
// that PostgreSQL makes without a rewrite goes into expand as written. Anything else
// gets a copy a__pgphase_new of type T2 that a trigger fills from a, converted with the
// USING expression (rewritten on the parse tree); contract swaps it in under a's name.
import type { ChangeOf, TypeRef } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse, renameColumnIn } from '../../sql/rewrite.js';
import { analyzeTypeChange } from '../../sql/type-change.js';
import { isRefused, knownTable, refuse, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { derivedName } from '../sql.js';
import { typeSql } from '../../sql/normalize.js';
import { emptyOutput } from '../types.js';
import { copyColumn } from './copy-column.js';
import type { PgNode } from '../../sql/source.js';

/** The last names of an expression's column references: a column, a table for a whole row, '*' for t.*. */
function referencedNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(referencedNames);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as PgNode).flatMap(([key, value]) => {
    if (key !== 'ColumnRef') return referencedNames(value);
    const fields = (value as { fields?: Array<{ String?: { sval: string } }> }).fields ?? [];
    return [fields[fields.length - 1]?.String?.sval ?? '*'];
  });
}

export function alterColumnType(change: ChangeOf<'alter-column-type'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const column = table.columns.get(change.column);
  if (context.isNewColumn(table, change.column)) {
    return refuse(
      `${quoteIdent(change.column)} is added earlier in this migration: give it its final type in the ADD COLUMN instead of changing it`,
      'expand',
    );
  }
  if (!column)
    return refuse(
      `column ${quoteIdent(change.column)} of ${quoteQualified(table)} is not in the starting schema: its type is unknown`,
      'contract',
    );
  const analysis = analyzeTypeChange(column.type, change.type, {
    using: change.using,
    column: change.column,
    pgVersion: context.pgVersion,
    enums: context.schema.enums,
  });
  const qa = quoteIdent(change.column);
  // without COLLATE, PostgreSQL gives the column the new type's default collation, not the old one;
  // a new collation rebuilds the column's indexes, so it is never catalog only
  if (analysis.tolerated && analysis.cost === 'free' && change.collation === column.collation) {
    // catalog only: safe in expand, and undone by going back to the old type
    const out = emptyOutput();
    const collate = column.collation ? ` COLLATE ${quoteIdent(column.collation)}` : '';
    const alter = (type: TypeRef) =>
      `ALTER TABLE ${quoteQualified(table)} ALTER COLUMN ${qa} TYPE ${typeSql(type)}${collate}`;
    out.steps.push(
      step(context, 'expand', `type-${change.column}`, alter(change.type), {
        down: alter(column.type),
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    );
    return out;
  }
  const copy = derivedName(change.column, 'pgphase_new');
  const using = change.using;
  // the trigger computes the value from the row being written: every column reference becomes NEW."column"
  const names = using ? [...new Set(referencedNames(using.node))] : [];
  const stranger = names.find((name) => !table.columns.has(name));
  if (stranger !== undefined) {
    return refuse(
      `USING of ${qa} refers to ${quoteIdent(stranger)}, which is not a column of ${quoteQualified(table)}: the sync trigger can only compute the new value from the row's columns`,
      'contract',
    );
  }
  const convert = (record?: string): string => {
    if (!using) return `${record ? `${record.toUpperCase()}.` : ''}${qa}::${typeSql(change.type)}`;
    // parenthesized: the value is written into comparisons and casts (`IS DISTINCT FROM`, `::`)
    return `(${deparse(
      record ? names.reduce((node, name) => renameColumnIn(node, name, name, record), using.node) : using.node,
    )})`;
  };
  const target = { ...column, collation: change.collation };
  const out = copyColumn(
    { table, column: target, copy, type: change.type, convert, bothWays: false, finalName: change.column },
    context,
  );
  if (isRefused(out)) return out;
  out.requires.backfill = `the new version, which must read and write ${qa} as both ${column.type.display} and ${change.type.display} until contract`;
  out.requires.contract = `no instance of the old version is running`;
  if (analysis.narrowing)
    out.notes.push(
      `${column.type.display} → ${change.type.display} narrows ${qa}: ${analysis.reason}; the backfill fails on a value that does not convert, before anything is swapped`,
    );
  return out;
}
