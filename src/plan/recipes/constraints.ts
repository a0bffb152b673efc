// Foreign keys and checks: added NOT VALID in expand (new writes are checked at once),
// validated in backfill (SHARE UPDATE EXCLUSIVE: reads and writes go on).
// Unique and primary keys: the index built CONCURRENTLY in expand, attached in contract.
import type { ChangeOf, ConstraintSpec } from '../../sql/changes.js';
import { constraintName, quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse } from '../../sql/rewrite.js';
import { knownTable, step, UnsafeChange, type RecipeContext } from '../recipe.js';
import { emptyOutput, type RecipeOutput, type Step } from '../types.js';
import { createIndexSql, dropIndexSql } from './indexes.js';
import { notNullSteps } from './not-null.js';

const ACTIONS: Record<string, string> = { 'no action': 'NO ACTION', restrict: 'RESTRICT', cascade: 'CASCADE', 'set null': 'SET NULL', 'set default': 'SET DEFAULT' };

/** The body of a CHECK or FOREIGN KEY constraint, NOT VALID. */
export function constraintSql(c: ConstraintSpec): string {
  if (c.kind === 'check') return `CHECK (${deparse(c.expr!.node)}) NOT VALID`;
  const r = c.references!;
  return `FOREIGN KEY (${c.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteQualified(r.table)} (${r.columns.map(quoteIdent).join(', ')}) ON UPDATE ${ACTIONS[r.onUpdate]} ON DELETE ${ACTIONS[r.onDelete]} NOT VALID`;
}

/** VALIDATE in backfill; undone by putting the constraint back NOT VALID. */
export function validateStep(context: RecipeContext, table: string, name: string, c: ConstraintSpec): Step {
  const q = quoteIdent(name);
  return step(context, 'backfill', `validate-${name}`, `ALTER TABLE ${table} VALIDATE CONSTRAINT ${q}`, {
    lockMode: 'SHARE UPDATE EXCLUSIVE',
    down: `ALTER TABLE ${table} DROP CONSTRAINT ${q}, ADD CONSTRAINT ${q} ${constraintSql(c)}`,
  });
}

export function addConstraint(change: ChangeOf<'add-constraint'>, context: RecipeContext): RecipeOutput | undefined {
  const c = change.constraint;
  if (context.isNewTable(change.table) || c.kind === 'not-null') return undefined;
  if (c.kind === 'exclusion') throw new UnsafeChange(`an exclusion constraint on ${quoteQualified(change.table)} builds its index and checks every row under ACCESS EXCLUSIVE; PostgreSQL has no concurrent way`, 'contract');
  const table = knownTable(context, change.table);
  const out = emptyOutput();
  const t = quoteQualified(table);
  if (c.kind === 'check' || c.kind === 'foreign-key') {
    const name = constraintName(table.name, c);
    out.steps.push(
      step(context, 'expand', `add-${name}`, `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${constraintSql(c)}`, {
        down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)}`,
        lockMode: c.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
      }),
    );
    if (!c.notValid) {
      out.steps.push(validateStep(context, t, name, c));
    }
    out.requires.expand = c.kind === 'check' ? 'every running version writes rows that satisfy the check' : 'every running version writes rows that keep the foreign key';
    return out;
  }
  // unique / primary key: the index first, without blocking writes
  const name = constraintName(table.name, c);
  if (c.usingIndex === undefined) {
    const elements = c.columns.map((col) => ({ IndexElem: { name: col, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' } }));
    out.steps.push(
      step(context, 'expand', `index-${name}`, createIndexSql(name, table, { unique: true, method: 'btree', elements }), {
        down: dropIndexSql(table.schema, name),
        lockMode: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
      }),
    );
  }
  if (c.kind === 'primary-key') {
    for (const col of c.columns) if (!table.columns.get(col)?.notNull) out.steps.push(...notNullSteps(context, table, col));
  }
  const kind = c.kind === 'primary-key' ? 'PRIMARY KEY' : 'UNIQUE';
  out.steps.push(step(context, 'contract', `attach-${name}`, `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(c.usingIndex ?? name)}`, { lockMode: 'ACCESS EXCLUSIVE' }));
  out.requires.contract = `every running version writes ${c.columns.map(quoteIdent).join(', ')} without duplicates`;
  return out;
}
