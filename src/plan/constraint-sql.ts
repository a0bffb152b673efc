// CHECK and FOREIGN KEY constraints as a plan adds them: NOT VALID (new writes are checked at
// once, no row is read), then validated under SHARE UPDATE EXCLUSIVE (reads and writes go on).
// They are printed from their parse tree, so that every property written is kept.
import type { ConstraintSpec, FkAction } from '../sql/changes.js';
import { DEFAULT_SCHEMA, quoteIdent } from '../sql/names.js';
import { deparse } from '../sql/rewrite.js';
import type { PgNode } from '../sql/source.js';
import { step, type RecipeContext } from './recipe.js';
import type { Step } from './types.js';

/** A Constraint node of the parse tree. */
export type ParsedConstraint = PgNode;

const ACTION_CODES: Record<FkAction, string> = {
  'no action': 'a',
  restrict: 'r',
  cascade: 'c',
  'set null': 'n',
  'set default': 'd',
};

const names = (list: string[]) => list.map((sval) => ({ String: { sval } }));

/** A CHECK or FOREIGN KEY as the parser gives it, from what the schema model keeps of one. */
function parsedFrom(c: ConstraintSpec): ParsedConstraint {
  if (c.kind === 'check') return { contype: 'CONSTR_CHECK', is_enforced: true, raw_expr: c.expr!.node };
  const r = c.references!;
  return {
    contype: 'CONSTR_FOREIGN',
    is_enforced: true,
    fk_attrs: names(c.columns),
    pktable: { schemaname: r.table.schema, relname: r.table.name, inh: true },
    // no column list: the referenced table's primary key
    ...(r.columns.length > 0 && { pk_attrs: names(r.columns) }),
    fk_matchtype: 's',
    fk_upd_action: ACTION_CODES[r.onUpdate],
    fk_del_action: ACTION_CODES[r.onDelete],
  };
}

/** The body of a CHECK or FOREIGN KEY constraint, NOT VALID: MATCH FULL, ON DELETE SET NULL (col), DEFERRABLE, NO INHERIT … as parsed. */
export function constraintSql(c: ConstraintSpec, parsed = parsedFrom(c)): string {
  const body: ParsedConstraint = { ...parsed, conname: undefined, skip_validation: true, initially_valid: false };
  if (parsed.pktable) body.pktable = { ...parsed.pktable, schemaname: parsed.pktable.schemaname ?? DEFAULT_SCHEMA };
  return deparse({ Constraint: body });
}

/** VALIDATE in backfill; undone by putting the constraint back NOT VALID. */
export function validateStep(
  context: RecipeContext,
  table: string,
  name: string,
  c: ConstraintSpec,
  parsed?: ParsedConstraint,
): Step {
  const q = quoteIdent(name);
  return step(context, 'backfill', `validate-${name}`, `ALTER TABLE ${table} VALIDATE CONSTRAINT ${q}`, {
    lockMode: 'SHARE UPDATE EXCLUSIVE',
    down: `ALTER TABLE ${table} DROP CONSTRAINT ${q}, ADD CONSTRAINT ${q} ${constraintSql(c, parsed)}`,
  });
}
