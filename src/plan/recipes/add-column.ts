// ADD COLUMN on an existing table. A volatile default (gen_random_uuid(), clock_timestamp())
// would be evaluated for every existing row under ACCESS EXCLUSIVE: the column is added
// without it, the default set for new rows only, and existing rows are filled in batches.
// A required column without a default goes through add-required-column.ts.
import type { ChangeOf } from '../../sql/changes.js';
import { constraintName, quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse, renameColumnIn } from '../../sql/rewrite.js';
import { addColumnRewrite } from '../../sql/volatility.js';
import {
  isRefused,
  knownTable,
  refuse,
  replacementName,
  step,
  swapSql,
  type RecipeContext,
  type Refused,
  type RecipeResult,
} from '../recipe.js';
import { columnConstraints, typeSql } from '../../sql/normalize.js';
import { emptyOutput, type PhaseName, type RecipeOutput } from '../types.js';
import type { PgNode } from '../../sql/source.js';
import { notNullSteps, nullsLeft } from '../not-null.js';
import { addConstraint } from './add-constraint.js';
import { addRequiredColumn } from './add-required-column.js';

/** Constraints built or checked when written on the column: split off into recipes of their own. */
const SPLIT: Record<string, true> = {
  CONSTR_CHECK: true,
  CONSTR_FOREIGN: true,
  CONSTR_UNIQUE: true,
  CONSTR_PRIMARY: true,
  CONSTR_EXCLUSION: true,
};

function merge(into: RecipeOutput, from: RecipeOutput | undefined): void {
  if (!from) return;
  into.steps.push(...from.steps);
  into.backfills.push(...from.backfills);
  into.checks.push(...from.checks);
  into.notes.push(...from.notes);
  for (const [phase, what] of Object.entries(from.requires) as Array<[PhaseName, string]>)
    into.requires[phase] = into.requires[phase] ? `${into.requires[phase]}; ${what}` : what;
}

/**
 * ADD COLUMN with constraints written on it, or replacing a column of the same name: the column
 * is added bare (under a temporary name when it replaces one, swapped in in contract), and each
 * constraint goes through its own recipe (NOT VALID + VALIDATE, or a concurrent unique index).
 */
function composedColumn(change: ChangeOf<'add-column'>, context: RecipeContext): RecipeOutput | Refused {
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const c = change.column;
  const name = context.replacing ? replacementName(c.name) : c.name;
  const cmds = (context.statement.node.AlterTableStmt.cmds as PgNode[]).map((x) => x.AlterTableCmd as PgNode);
  const cmd = cmds.find((x) => x.subtype === 'AT_AddColumn' && x.def.ColumnDef.colname === c.name)!;
  const def = cmd.def.ColumnDef as PgNode;
  const written = columnConstraints(def);
  const parsed = written.filter((k) => SPLIT[k.contype]);
  const hasPrimaryKey = parsed.some((k) => k.contype === 'CONSTR_PRIMARY');
  // a primary key makes its columns NOT NULL through its own validated checks
  const notNull = c.notNull && !(hasPrimaryKey && !written.some((k) => k.contype === 'CONSTR_NOTNULL'));
  const bare: ChangeOf<'add-column'> = {
    ...change,
    column: { ...c, name, notNull, constraints: c.constraints.filter((k) => k.kind === 'not-null') },
  };
  const out = emptyOutput();
  const added = addColumn(bare, { ...context, replacing: undefined });
  if (isRefused(added)) return added;
  if (added) merge(out, added);
  else {
    const constraints = written
      .filter((k) => !SPLIT[k.contype] && (notNull || k.contype !== 'CONSTR_NOTNULL'))
      .map((k) => ({ Constraint: k }));
    const bareDef = { ...def, colname: name, constraints };
    const sql = deparse({
      AlterTableStmt: {
        ...context.statement.node.AlterTableStmt,
        cmds: [{ AlterTableCmd: { ...cmd, def: { ColumnDef: bareDef } } }],
      },
    });
    out.steps.push(
      step(context, 'expand', `add-column-${name}`, sql, {
        down: `ALTER TABLE ${quoteQualified(table)} DROP COLUMN IF EXISTS ${quoteIdent(name)}`,
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    );
  }
  for (const [i, k] of c.constraints.filter((k) => k.kind !== 'not-null').entries()) {
    // named as PostgreSQL names a constraint written on the column (a check after the columns it
    // reads), after the final names; built on the column as added
    const spec = {
      ...k,
      name: constraintName(table.name, k),
      columns: k.columns.map((x) => (x === c.name ? name : x)),
    };
    const node = {
      ...parsed[i],
      conname: undefined,
      ...(k.kind === 'check'
        ? { raw_expr: renameColumnIn(parsed[i]!.raw_expr, c.name, name) }
        : k.kind === 'foreign-key'
          ? { fk_attrs: [{ String: { sval: name } }] }
          : { keys: [{ String: { sval: name } }] }),
    };
    const constraint: ChangeOf<'add-constraint'> = {
      statement: change.statement,
      kind: 'add-constraint',
      table: change.table,
      constraint: spec,
    };
    const made = addConstraint(constraint, { ...context, replacing: undefined }, node);
    if (isRefused(made)) return made;
    if (made) merge(out, made);
    else {
      // safe as written (NOT ENFORCED): added as written, after the column
      const t = quoteQualified(table);
      const q = quoteIdent(spec.name);
      out.steps.push(
        step(
          context,
          'expand',
          `add-${spec.name}`,
          `ALTER TABLE ${t} ADD CONSTRAINT ${q} ${deparse({ Constraint: node })}`,
          {
            down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${q}`,
            lockMode: k.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
          },
        ),
      );
    }
  }
  if (context.replacing) {
    const t = quoteQualified(table);
    out.steps.push(
      step(
        context,
        'contract',
        `swap-${c.name}`,
        swapSql(context.replacing, `ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(name)} TO ${quoteIdent(c.name)}`),
        { lockMode: 'ACCESS EXCLUSIVE' },
      ),
    );
    context.replacesColumn(table, c.name);
    out.requires.backfill = `the new version, which must work with the old ${quoteIdent(c.name)} until contract`;
    out.notes.push(
      `${quoteIdent(c.name)} of ${t} is dropped and added again: the new column is built as ${quoteIdent(name)} and takes the name in contract; until then ${quoteIdent(c.name)} is the old column, and what is written into it is dropped with it, as the migration drops it`,
    );
  }
  return out;
}

export function addColumn(change: ChangeOf<'add-column'>, context: RecipeContext): RecipeResult {
  if (context.isNewTable(change.table)) return undefined;
  const c = change.column;
  // written on the column, a constraint would be built (an index) or checked (a scan) under the ADD COLUMN's lock
  if (context.replacing || c.constraints.some((k) => k.kind !== 'not-null')) return composedColumn(change, context);
  const rewrite = addColumnRewrite(c, context.pgVersion);
  if (!rewrite) return addRequiredColumn(change, context);
  if (!c.default)
    return refuse(
      `adding ${quoteIdent(c.name)} rewrites the table (${rewrite}); add a plain column and fill it instead`,
      'expand',
    );
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const key = context.schema.rowKey(table);
  if (!key)
    return refuse(`${quoteQualified(table)} has no primary key or unique NOT NULL key to backfill by`, 'backfill');
  const t = quoteQualified(table);
  const q = quoteIdent(c.name);
  const value = deparse(c.default.node);
  const collate = c.collation ? ` COLLATE ${quoteIdent(c.collation)}` : '';
  const out = emptyOutput();
  out.steps.push(
    step(
      context,
      'expand',
      `add-column-${c.name}`,
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${q} ${typeSql(c.type)}${collate}`,
      {
        down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${q}`,
        lockMode: 'ACCESS EXCLUSIVE',
      },
    ),
    step(context, 'expand', `default-${c.name}`, `ALTER TABLE ${t} ALTER COLUMN ${q} SET DEFAULT ${value}`, {
      down: `ALTER TABLE ${t} ALTER COLUMN ${q} DROP DEFAULT`,
      lockMode: 'ACCESS EXCLUSIVE',
    }),
  );
  out.backfills.push({
    table: { schema: table.schema, name: table.name },
    key,
    set: `${q} = ${value}`,
    where: `${q} IS NULL`,
    reversible: true,
  });
  if (c.notNull) {
    out.steps.push(...notNullSteps(context, table, c.name));
    out.checks.push(nullsLeft(table, c.name));
  }
  out.notes.push(
    `${q} gets its default for new rows in expand; existing rows are filled by the backfill, not by a table rewrite`,
  );
  return out;
}
