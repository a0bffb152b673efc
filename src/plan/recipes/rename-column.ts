// Rename column t.a → t.b while both application versions run: b is a copy of a kept
// equal in both directions until contract drops a (see copy-column.ts).
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { isRefused, knownTable, refuse, type RecipeContext, type RecipeResult } from '../recipe.js';
import { copyColumn } from './copy-column.js';

export function renameColumn(change: ChangeOf<'rename-column'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  if (context.replacing) {
    return refuse(
      `${quoteIdent(change.newName)} of ${quoteQualified(table)} is dropped or renamed earlier in this migration: during the overlap the old version reads the old ${quoteIdent(change.newName)} while the new one would read ${quoteIdent(change.column)}'s values under that name, which no single column can give both; drop the old column in one migration and rename in the next`,
      'contract',
    );
  }
  const column = table.columns.get(change.column);
  if (!column)
    return refuse(
      `column ${quoteIdent(change.column)} of ${quoteQualified(table)} is not in the starting schema`,
      'expand',
    );
  const qa = quoteIdent(change.column);
  const out = copyColumn(
    {
      table,
      column,
      copy: change.newName,
      type: column.type,
      convert: (record) => (record ? `${record.toUpperCase()}.${qa}` : qa),
      bothWays: true,
    },
    context,
  );
  if (isRefused(out)) return out;
  out.requires.backfill = `the new version, which reads and writes ${quoteIdent(change.newName)}`;
  out.requires.contract = `no instance of the old version (which uses ${qa}) is running`;
  return out;
}
