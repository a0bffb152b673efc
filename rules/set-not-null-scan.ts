import { defineRule } from '../src/lint/rule.js';
import { notNullCheckColumn } from '../src/sql/changes.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'set-not-null-scan',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists (PostgreSQL 12+)',
    messages: {
      default: 'SET NOT NULL on {{table}}.{{column}} reads every row while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait',
    },
    help: 'PostgreSQL 12+: add `CHECK ({{column}} IS NOT NULL) NOT VALID`, `VALIDATE` it, then SET NOT NULL (no scan) and drop the check; `pgphase plan <file>` writes these steps',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'set-not-null' || context.isNewTable(change.table)) return;
        // NOT NULL already: PostgreSQL does nothing and reads no row
        if (context.schema.column(change.table, change.column)?.notNull) return;
        const constraints = context.schema.table(change.table)?.constraints.values() ?? [];
        if (context.pgVersion >= 12 && [...constraints].some((c) => c.validated && notNullCheckColumn(c) === change.column)) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), column: quoteIdent(change.column) } });
      },
    };
  },
});
