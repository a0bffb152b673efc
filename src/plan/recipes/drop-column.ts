// DROP COLUMN goes to contract, when no running version uses the column. Expand first drops its
// NOT NULL, so that the new version can stop writing it; contract drops its indexes
// concurrently, so that the exclusive lock of the drop stays short.
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { dropIndexSql } from '../index-sql.js';
import { byName, isRefused, knownTable, refuse, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

export function dropColumn(change: ChangeOf<'drop-column'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const t = quoteQualified(table);
  const q = quoteIdent(change.column);
  const out = emptyOutput();
  const column = table.columns.get(change.column);
  // a column the database fills (a default, serial, identity, generated) leaves the new version free to insert without it
  const filled = column?.default !== undefined || column?.identity !== undefined || column?.generated !== undefined;
  if (column?.notNull && !filled && context.inDroppedPrimaryKey(table, change.column)) {
    return refuse(
      `${q} of ${t} stays NOT NULL until contract drops the primary key it is in, so the new version could not insert rows without it during the overlap; move the primary key in one migration and drop ${q} in the next`,
      'contract',
    );
  }
  if (column?.notNull && !filled) {
    out.steps.push(
      step(context, 'expand', `drop-not-null-${change.column}`, `ALTER TABLE ${t} ALTER COLUMN ${q} DROP NOT NULL`, {
        down: `ALTER TABLE ${t} ALTER COLUMN ${q} SET NOT NULL`,
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    );
    out.notes.push(`${q} may be NULL after expand, so the new version can insert without it`);
  }
  for (const index of byName(context.schema.tableIndexes(table))) {
    if (!index.columns.includes(change.column) || table.constraints.has(index.name)) continue;
    out.steps.push(
      step(context, 'contract', `drop-index-${index.name}`, dropIndexSql(table.schema, index.name), {
        lockMode: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
      }),
    );
  }
  const drop = step(
    context,
    'contract',
    `drop-${change.column}`,
    `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${q}${change.cascade ? ' CASCADE' : ''}`,
    { lockMode: 'ACCESS EXCLUSIVE' },
  );
  context.carry('columns', table, drop);
  out.steps.push(drop);
  out.requires.contract = `no running version reads or writes ${q}`;
  return out;
}
