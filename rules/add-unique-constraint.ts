import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

function key(table: QName, columns: Array<string | null>): string {
  return `${qkey(table)}|${[...columns].sort().join(',')}`;
}

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
    // column sets already unique before this migration (dropped and re-added: no new rule for writers)
    const wasUnique = new Set<string>();
    const uniqueNow = (table: QName) =>
      context.schema
        .tableIndexes(table)
        .filter((i) => i.unique && !i.partial)
        .map((i) => key(table, i.columns));
    const check = (table: QName, columns: Array<string | null>) => {
      if (context.isNewTable(table)) return;
      const k = key(table, columns);
      if (!columns.includes(null) && (wasUnique.has(k) || uniqueNow(table).includes(k))) return;
      const shown = columns.map((c) => (c === null ? '(expression)' : quoteIdent(c))).join(', ') || '(expression)';
      context.report({ messageId: 'default', data: { table: quoteQName(table), columns: shown } });
    };
    return {
      change(change) {
        if (change.kind === 'drop-constraint' || change.kind === 'drop-index') {
          const table = change.kind === 'drop-index' ? context.schema.indexTable(change.index) : change.table;
          if (table) for (const k of uniqueNow(table)) wasUnique.add(k);
        }
        // USING INDEX turns an index that already enforces uniqueness into a constraint
        if (change.kind === 'add-constraint' && (change.constraint.kind === 'unique' || change.constraint.kind === 'primary-key') && !change.constraint.usingIndex) {
          check(change.table, change.constraint.columns);
        }
        // a materialized view has no writer for the index to refuse; the unique index is what REFRESH … CONCURRENTLY needs
        if (change.kind === 'create-index' && change.index.unique && !context.schema.views.has(qkey(change.index.table))) check(change.index.table, change.index.columns);
      },
    };
  },
});
