// Drops go to contract, when no running version uses what they remove. Expand first lets
// the new version stop writing a dropped column; contract drops indexes concurrently, and
// foreign keys pointing at a dropped table, so the exclusive locks stay short.
import type { ChangeOf } from '../../sql/changes.js';
import { qkey, quoteIdent, quoteQualified } from '../../sql/names.js';
import { byName, isRefused, knownTable, refuse, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';
import { dropIndexSql } from './indexes.js';

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

export function dropTable(change: ChangeOf<'drop-table'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const out = emptyOutput();
  const target = qkey(change.table);
  for (const other of byName(context.schema.tables.values())) {
    for (const c of byName(other.constraints.values())) {
      if (c.kind !== 'foreign-key' || qkey(c.references!.table) !== target || qkey(other) === target) continue;
      out.steps.push(
        step(
          context,
          'contract',
          `drop-fk-${c.name}`,
          `ALTER TABLE ${quoteQualified(other)} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.name)}`,
          { lockMode: 'SHARE ROW EXCLUSIVE' },
        ),
      );
    }
  }
  out.steps.push(
    step(
      context,
      'contract',
      `drop-table-${change.table.name}`,
      `DROP TABLE IF EXISTS ${quoteQualified(change.table)}${change.cascade ? ' CASCADE' : ''}`,
      { lockMode: 'ACCESS EXCLUSIVE' },
    ),
  );
  out.requires.contract = `no running version uses ${quoteQualified(change.table)}`;
  return out;
}

/** Rename table t → u: renamed in expand with an updatable view under the old name; the view goes in contract. */
export function renameTable(change: ChangeOf<'rename-table'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const old = quoteQualified(table);
  const renamed = quoteQualified({ schema: table.schema, name: change.newName });
  const out = emptyOutput();
  out.steps.push(
    step(
      context,
      'expand',
      `rename-${table.name}`,
      `ALTER TABLE ${old} RENAME TO ${quoteIdent(change.newName)};\nCREATE VIEW ${old} AS SELECT * FROM ${renamed}`,
      {
        down: `DROP VIEW IF EXISTS ${old};\nALTER TABLE ${renamed} RENAME TO ${quoteIdent(table.name)}`,
        lockMode: 'ACCESS EXCLUSIVE',
      },
    ),
  );
  out.steps.push(
    step(context, 'contract', `drop-view-${table.name}`, `DROP VIEW IF EXISTS ${old}`, {
      lockMode: 'ACCESS EXCLUSIVE',
    }),
  );
  out.requires.contract = `no running version uses the old name ${old}`;
  out.notes.push(`the old version reads and writes ${old} through a simple view, which PostgreSQL keeps updatable`);
  return out;
}
