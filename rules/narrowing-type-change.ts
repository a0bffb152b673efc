import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';
import { analyzeAlter } from '../src/sql/type-change.js';

export default defineRule({
  meta: {
    id: 'narrowing-type-change',
    category: 'data-loss',
    severity: 'error',
    description: 'A type change that existing values may not fit or that changes them: shorter varchar, bigint→int, less numeric scale, text→varchar(n) …',
    messages: {
      default: 'Changing {{table}}.{{column}} from {{from}} to {{to}} narrows it: existing values may fail to convert or silently change ({{reason}})',
    },
    help: 'Add a new column of the new type, backfill it with a checked conversion, and swap in contract: `pgphase plan <file>`',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'alter-column-type' || context.isNewTable(change.table)) return;
        const known = analyzeAlter(change, context.schema, context.pgVersion);
        if (!known?.analysis.narrowing) return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), column: quoteIdent(change.column), from: known.from.display, to: change.type.display, reason: known.analysis.reason },
        });
      },
    };
  },
});
