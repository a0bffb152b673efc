// Rename an enum value 'a' → 'b' (RECIPES.md): 'b' is added in expand, rows move to it in a
// batched backfill once the new version (which understands both) is deployed, contract moves
// what the old version wrote during the overlap. PostgreSQL cannot drop an enum value: 'a'
// stays in the type, unused.
import type { ChangeOf } from '../../sql/changes.js';
import { qkey, quoteIdent, quoteLiteral, quoteQualified } from '../../sql/names.js';
import { byName, refuse, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function enumRenameValue(change: ChangeOf<'enum-rename-value'>, context: RecipeContext): RecipeResult {
  if (context.isNewObject(change.type)) return undefined;
  const type = quoteQualified(change.type);
  const [from, to] = [quoteLiteral(change.value), quoteLiteral(change.newValue)];
  const out = emptyOutput();
  // a new enum value cannot be used in the transaction that adds it, and before 12 not added in one
  out.steps.push(
    step(
      context,
      'expand',
      `enum-${change.newValue}`,
      `ALTER TYPE ${type} ADD VALUE IF NOT EXISTS ${to} AFTER ${from}`,
      { transactional: context.pgVersion >= 12 },
    ),
  );
  const key = qkey(change.type);
  for (const table of byName(context.schema.tables.values())) {
    for (const column of table.columns.values()) {
      if (
        column.type.array ||
        qkey({ ...(column.type.schema !== undefined && { schema: column.type.schema }), name: column.type.name }) !==
          key
      )
        continue;
      const rowKey = context.schema.rowKey(table);
      if (!rowKey)
        return refuse(
          `${quoteQualified(table)} has no primary key or unique NOT NULL key to backfill ${quoteIdent(column.name)} by`,
          'backfill',
        );
      const q = quoteIdent(column.name);
      out.backfills.push({
        table: { schema: table.schema, name: table.name },
        key: rowKey,
        set: `${q} = ${to}`,
        where: `${q} = ${from}`,
        reversible: false,
      });
      out.steps.push(
        step(
          context,
          'contract',
          `enum-rows-${table.name}-${column.name}`,
          `UPDATE ${quoteQualified(table)} SET ${q} = ${to} WHERE ${q} = ${from}`,
          { lockMode: 'ROW EXCLUSIVE' },
        ),
      );
    }
  }
  out.requires.backfill = `the new version, which reads both ${from} and ${to} and writes ${to}`;
  out.requires.contract = `no instance of the old version is running`;
  out.notes.push(
    `PostgreSQL cannot drop an enum value: ${from} stays in ${type}, unused; contract moves the rows the old version wrote during the overlap`,
  );
  return out;
}
