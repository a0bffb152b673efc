// ADD CONSTRAINT on an existing table. Foreign keys and checks: added NOT VALID in expand (new
// writes are checked at once), validated in backfill (SHARE UPDATE EXCLUSIVE: reads and writes
// go on). Unique and primary keys: the index built CONCURRENTLY in expand, attached in contract.
// Constraints are printed from their parse tree, so that every property written is kept.
import { isDeepStrictEqual } from 'node:util';
import type { ChangeOf } from '../../sql/changes.js';
import { constraintName, qkey, quoteIdent, quoteQualified } from '../../sql/names.js';
import { normalizeStatement } from '../../sql/normalize.js';
import { constraintSql, validateStep, type ParsedConstraint } from '../constraint-sql.js';
import { concurrentIndexSql, dropIndexSql } from '../index-sql.js';
import { notNullSteps } from '../not-null.js';
import {
  isRefused,
  knownTable,
  refuse,
  replacementName,
  step,
  swapSql,
  type RecipeContext,
  type RecipeResult,
} from '../recipe.js';
import { emptyOutput } from '../types.js';
import type { PgNode } from '../../sql/source.js';
import { addNotNullConstraint } from './add-not-null-constraint.js';

const strings = (list: Array<{ String: { sval: string } }> | undefined) => (list ?? []).map((n) => n.String.sval);

/** The constraint as parsed: the change keeps only some of its properties. */
function parsedConstraint(change: ChangeOf<'add-constraint'>, context: RecipeContext): ParsedConstraint {
  const cmds = (context.statement.node.AlterTableStmt.cmds as PgNode[]).map((c) => c.AlterTableCmd);
  const parsed = cmds.filter((c) => c.subtype === 'AT_AddConstraint').map((c) => c.def.Constraint as ParsedConstraint);
  // the statement's n-th added constraint is its n-th add-constraint change
  const added = normalizeStatement(context.statement).filter((c) => c.kind === 'add-constraint');
  return parsed[added.findIndex((c) => isDeepStrictEqual(c, change))]!;
}

/** The unique index behind a UNIQUE or PRIMARY KEY, with the index properties the constraint was written with. */
function keyIndex(parsed: ParsedConstraint): PgNode {
  const elements = (columns: string[]) =>
    columns.map((name) => ({
      IndexElem: { name, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' },
    }));
  return {
    unique: true,
    accessMethod: 'btree',
    indexParams: elements(strings(parsed.keys)),
    ...(parsed.including && { indexIncludingParams: elements(strings(parsed.including)) }),
    ...(parsed.nulls_not_distinct && { nulls_not_distinct: true }),
    ...(parsed.options && { options: parsed.options }),
    ...(parsed.indexspace && { tableSpace: parsed.indexspace }),
  };
}

/**
 * ADD CONSTRAINT on an existing table. `parsed` is the constraint's parse node when it was not
 * written as an ALTER TABLE … ADD CONSTRAINT of its own (a constraint written on a new column).
 */
export function addConstraint(
  change: ChangeOf<'add-constraint'>,
  context: RecipeContext,
  parsed = parsedConstraint(change, context),
): RecipeResult {
  const c = change.constraint;
  if (context.isNewTable(change.table)) return undefined;
  if (c.kind === 'not-null') return addNotNullConstraint(change, context);
  if (c.kind === 'exclusion')
    return refuse(
      `an exclusion constraint on ${quoteQualified(change.table)} builds its index and checks every row under ACCESS EXCLUSIVE; PostgreSQL has no concurrent way`,
      'contract',
    );
  const table = knownTable(context, change.table);
  if (isRefused(table)) return table;
  const out = emptyOutput();
  const t = quoteQualified(table);
  const replacing = context.replacing;
  if (c.kind === 'check' || c.kind === 'foreign-key') {
    // NOT ENFORCED (PostgreSQL 18; the parser leaves is_enforced out) checks no row, now or later: safe as written
    if (!parsed.is_enforced) return undefined;
    const name = constraintName(table.name, c);
    // replacing a constraint of the same name: both are enforced until contract swaps the names
    const build = replacing ? replacementName(name) : name;
    out.steps.push(
      step(
        context,
        'expand',
        `add-${build}`,
        `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(build)} ${constraintSql(c, parsed)}`,
        {
          down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(build)}`,
          lockMode: c.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
        },
      ),
    );
    if (!c.notValid) {
      out.steps.push(validateStep(context, t, build, c, parsed));
    }
    if (replacing) {
      const rename = `ALTER TABLE ${t} RENAME CONSTRAINT ${quoteIdent(build)} TO ${quoteIdent(name)}`;
      out.steps.push(
        step(context, 'contract', `swap-${name}`, swapSql(replacing, rename), { lockMode: 'ACCESS EXCLUSIVE' }),
      );
      out.notes.push(
        `${quoteIdent(name)} of ${t} is replaced: the new definition is enforced beside the old one from expand, and takes its name in contract`,
      );
    }
    out.requires.expand =
      c.kind === 'check'
        ? 'every running version writes rows that satisfy the check'
        : 'every running version writes rows that keep the foreign key';
    return out;
  }
  if (parsed.without_overlaps) {
    return refuse(
      `a ${c.kind === 'unique' ? 'unique' : 'primary'} key WITHOUT OVERLAPS on ${quoteQualified(table)} needs a GiST index that pgphase does not build concurrently yet`,
      'contract',
    );
  }
  // unique / primary key: the index first, without blocking writes; PostgreSQL names a unique
  // constraint after its INCLUDE columns too
  const name = constraintName(table.name, c, [...c.columns, ...strings(parsed.including)]);
  const build = replacing ? replacementName(name) : name;
  if (c.usingIndex === undefined) {
    out.steps.push(
      step(context, 'expand', `index-${build}`, concurrentIndexSql(build, table, keyIndex(parsed)), {
        down: dropIndexSql(table.schema, build),
        lockMode: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
      }),
    );
  }
  // a key made of an index has the index's columns (PostgreSQL takes no index of expressions)
  const columns =
    c.usingIndex === undefined
      ? c.columns
      : (context.schema.indexes.get(qkey({ schema: table.schema, name: c.usingIndex }))?.columns ?? []).filter(
          (column) => column !== null,
        );
  if (c.kind === 'primary-key') {
    for (const col of columns)
      if (!table.columns.get(col)?.notNull) out.steps.push(...notNullSteps(context, table, col));
  }
  const kind = c.kind === 'primary-key' ? 'PRIMARY KEY' : 'UNIQUE';
  const deferral = parsed.initdeferred ? ' DEFERRABLE INITIALLY DEFERRED' : parsed.deferrable ? ' DEFERRABLE' : '';
  // ADD CONSTRAINT … USING INDEX renames the index to the constraint's name
  const attach = `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(c.usingIndex ?? build)}${deferral}`;
  const attachStep = step(context, 'contract', `attach-${name}`, replacing ? swapSql(replacing, attach) : attach, {
    lockMode: 'ACCESS EXCLUSIVE',
  });
  if (replacing) context.carry('key', table, attachStep);
  out.steps.push(attachStep);
  out.requires.contract = `every running version writes ${columns.map(quoteIdent).join(', ')} without duplicates`;
  return out;
}
