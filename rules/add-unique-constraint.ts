import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-unique-constraint',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'A new UNIQUE or PRIMARY KEY constraint or unique index on an existing table: writes of the running version may violate it',
    messages: {
      default: 'Making {{columns}} of {{table}} unique makes writes of the running version that duplicate a value fail',
    },
    help: 'Add the unique index in expand only if the running version never writes duplicates; otherwise in contract',
  },
  create(context) {
    const report = (table: Parameters<typeof quoteQName>[0], columns: Array<string | null>) => {
      const shown = columns.map((c) => (c === null ? '(expression)' : quoteIdent(c))).join(', ') || '(expression)';
      context.report({ messageId: 'default', data: { table: quoteQName(table), columns: shown } });
    };
    return {
      change(change) {
        const c = change.kind === 'add-constraint' ? change.constraint : undefined;
        // USING INDEX turns an index that already enforces uniqueness into a constraint
        if (change.kind === 'add-constraint' && (c?.kind === 'unique' || c?.kind === 'primary-key') && !c.usingIndex && !context.isNewTable(change.table)) {
          report(change.table, change.constraint.columns);
        }
        if (change.kind === 'create-index' && change.index.unique && !context.isNewTable(change.index.table)) {
          report(change.index.table, change.index.columns);
        }
      },
    };
  },
});
