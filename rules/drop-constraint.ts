import { defineRule, type RuleContext } from '../src/lint/rule.js';
import { changeTable, notNullCheckColumn, type Change, type ChangeOf } from '../src/sql/changes.js';
import type { ConstraintModel } from '../src/schema/model.js';
import { constraintName, qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

const KIND: Record<string, string> = {
  'foreign-key': 'foreign key',
  check: 'check constraint',
  unique: 'unique constraint',
  'primary-key': 'primary key',
  exclusion: 'exclusion constraint',
};

/** Does another change of the statement (ALTER TABLE runs its drops before its adds, whatever
 *  their order), or a later one of the transaction, match? */
function alongside(context: RuleContext, change: Change, match: (c: Change) => boolean): boolean {
  return context.changes.some((c) => c !== change && match(c)) || context.laterInTransaction(match);
}

/** Is the guarantee of the dropped constraint kept, by a re-add, NOT NULL, or the end of the table itself? */
function kept(context: RuleContext, change: ChangeOf<'drop-constraint'>, known: ConstraintModel | undefined): boolean {
  const table = qkey(change.table);
  // a unique or primary key replaced by one on the same columns or fewer: rows stay unique
  const narrower = (columns: Array<string | null>) =>
    known !== undefined && columns.length > 0 && columns.every((col) => col !== null && known.columns.includes(col));
  const keyKinds =
    known?.kind === 'unique' ? ['unique', 'primary-key'] : known?.kind === 'primary-key' ? ['primary-key'] : [];
  return alongside(context, change, (c) => {
    const on = changeTable(c);
    if (!on || qkey(on) !== table) return false;
    switch (c.kind) {
      // no row can be written without the guarantee: the table goes too (Prisma drops a table's keys before the table)
      case 'drop-table':
        return true;
      case 'add-constraint': {
        // dropped and added again under the same name, given or PostgreSQL's default: a change of definition
        if (constraintName(change.table.name, c.constraint) === change.name) return true;
        if (!keyKinds.includes(c.constraint.kind)) return false;
        const { usingIndex } = c.constraint;
        const index =
          usingIndex === undefined
            ? undefined
            : context.schema.indexes.get(qkey({ schema: change.table.schema, name: usingIndex }));
        return narrower(usingIndex === undefined ? c.constraint.columns : (index?.columns ?? []));
      }
      case 'create-index':
        return known?.kind === 'unique' && c.index.unique && c.index.where === undefined && narrower(c.index.columns);
      // CHECK (col IS NOT NULL) and then SET NOT NULL col: the column itself keeps the guarantee
      case 'set-not-null':
        return known !== undefined && notNullCheckColumn(known) === c.column;
      default:
        return false;
    }
  });
}

export default defineRule({
  meta: {
    id: 'drop-constraint',
    category: 'data-loss',
    severity: 'warning',
    description: 'Dropping a foreign key, check, unique or primary key constraint removes an integrity guarantee',
    messages: {
      default: {
        message:
          'Dropping {{kind}} {{name}} of {{table}} removes a guarantee: rows that break it can be written from now on',
        help: 'Confirm nothing relies on the guarantee, and suppress with `-- pgphase-ignore drop-constraint: <why>`',
      },
    },
  },
  kinds: ['drop-constraint'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        const known = context.schema.table(change.table)?.constraints.get(change.name);
        // a helper check for a column that is NOT NULL already (SET NOT NULL ran earlier)
        const checked = known && notNullCheckColumn(known);
        if (checked !== undefined && context.schema.column(change.table, checked)?.notNull) return;
        if (kept(context, change, known)) return;
        context.report({
          messageId: 'default',
          data: {
            kind: known ? (KIND[known.kind] ?? 'constraint') : 'constraint',
            name: quoteIdent(change.name),
            table: quoteQName(change.table),
          },
        });
      },
    };
  },
});
