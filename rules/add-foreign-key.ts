import { defineRule } from '../src/lint/rule.js';
import type { ConstraintSpec } from '../src/sql/changes.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

function signature(table: QName, c: ConstraintSpec): string {
  return `${qkey(table)}|${c.columns.join(',')}|${qkey(c.references!.table)}|${c.references!.columns.join(',')}`;
}

export default defineRule({
  meta: {
    id: 'add-foreign-key',
    category: 'breaks-old-code',
    severity: 'warning',
    description: 'A new foreign key on an existing table: the running version may write orphans or delete in the wrong order',
    messages: {
      default: 'The foreign key {{table}}({{columns}}) → {{references}} makes writes and deletes of the running version that break it fail',
    },
    help: 'Add the foreign key (NOT VALID) only once every deployed version keeps it; otherwise in contract',
  },
  create(context) {
    // foreign keys that existed before this migration: re-adding one (say, with another ON DELETE) is no new rule for writers
    const existed = new Set<string>();
    const current = (table: QName) =>
      [...(context.schema.table(table)?.constraints.values() ?? [])].filter((c) => c.kind === 'foreign-key' && c.references).map((c) => signature(table, c));
    return {
      change(change) {
        if (change.kind === 'drop-constraint') for (const s of current(change.table)) existed.add(s);
        if (change.kind !== 'add-constraint' || change.constraint.kind !== 'foreign-key' || context.isNewTable(change.table)) return;
        const s = signature(change.table, change.constraint);
        if (existed.has(s) || current(change.table).includes(s)) return;
        const refs = change.constraint.references!;
        context.report({
          messageId: 'default',
          data: {
            table: quoteQName(change.table),
            columns: change.constraint.columns.map(quoteIdent).join(', '),
            references: quoteQName(refs.table),
          },
        });
      },
    };
  },
});
