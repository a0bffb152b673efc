// Change column type t.a : T1 → T2 [USING expr]. A widening the old version tolerates
// that PostgreSQL makes without a rewrite goes into expand as written. Anything else
// gets a copy a__pgphase_new of type T2 that a trigger fills from a, converted with the
// USING expression (rewritten on the parse tree); contract swaps it in under a's name.
import type { ChangeOf, TypeRef } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse, renameColumnIn } from '../../sql/rewrite.js';
import { analyzeTypeChange } from '../../sql/type-change.js';
import { knownTable, step, UnsafeChange, type RecipeContext } from '../recipe.js';
import { derivedName } from '../sql.js';
import { typeSql } from '../../sql/normalize.js';
import { emptyOutput, type RecipeOutput } from '../types.js';
import { copyColumn } from './column-copy.js';

export function changeType(change: ChangeOf<'alter-column-type'>, context: RecipeContext): RecipeOutput | undefined {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  const column = table.columns.get(change.column);
  if (!column) throw new UnsafeChange(`column ${quoteIdent(change.column)} of ${quoteQualified(table)} is not in the starting schema: its type is unknown`, 'contract');
  const analysis = analyzeTypeChange(column.type, change.type, { using: change.using, column: change.column, pgVersion: context.pgVersion, enums: context.schema.enums });
  const qa = quoteIdent(change.column);
  if (analysis.tolerated && analysis.cost === 'free') {
    // catalog only: safe in expand, and undone by going back to the old type
    const out = emptyOutput();
    const alter = (type: TypeRef) => `ALTER TABLE ${quoteQualified(table)} ALTER COLUMN ${qa} TYPE ${typeSql(type)}`;
    out.steps.push(step(context, 'expand', `type-${change.column}`, alter(change.type), { down: alter(column.type), lockMode: 'ACCESS EXCLUSIVE' }));
    return out;
  }
  const copy = derivedName(change.column, 'pgphase_new');
  const convert = (record?: string): string => {
    if (!change.using) return `${record ? `${record.toUpperCase()}.` : ''}${qa}::${typeSql(change.type)}`;
    return deparse(record ? renameColumnIn(change.using.node, change.column, change.column, record) : change.using.node);
  };
  const target = change.collation ? { ...column, collation: change.collation } : column;
  const out = copyColumn({ table, column: target, copy, type: change.type, convert, bothWays: false, finalName: change.column }, context);
  out.requires.backfill = `the new version, which must read and write ${qa} as both ${column.type.display} and ${change.type.display} until contract`;
  out.requires.contract = `no instance of the old version is running`;
  if (analysis.narrowing) out.notes.push(`${column.type.display} → ${change.type.display} narrows ${qa}: ${analysis.reason}; the backfill fails on a value that does not convert, before anything is swapped`);
  return out;
}
