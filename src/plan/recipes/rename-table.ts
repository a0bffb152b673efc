// Rename table t → u: renamed in expand with an updatable view under the old name; the view goes in contract.
import type { ChangeOf } from '../../sql/changes.js';
import { quoteIdent, quoteQualified } from '../../sql/names.js';
import { isRefused, knownTable, step, type RecipeContext, type RecipeResult } from '../recipe.js';
import { emptyOutput } from '../types.js';

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
