import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'cascade-drop',
    category: 'data-loss',
    severity: 'error',
    description: 'DROP … CASCADE silently drops every dependent object (views, constraints, columns of other tables)',
    messages: {
      default: '{{what}} CASCADE also drops whatever depends on it — views, foreign keys, defaults — without naming them',
    },
    help: 'Drop the dependent objects explicitly first, then drop without CASCADE',
  },
  create(context) {
    return {
      change(change) {
        if (!('cascade' in change) || !change.cascade || change.kind === 'truncate') return;
        const what =
          change.kind === 'drop-table'
            ? `DROP TABLE ${quoteQName(change.table)}`
            : change.kind === 'drop-column'
              ? `DROP COLUMN "${change.column}" of ${quoteQName(change.table)}`
              : change.kind === 'drop-index'
                ? `DROP INDEX ${quoteQName(change.index)}`
                : change.kind === 'drop-constraint'
                  ? `DROP CONSTRAINT "${change.name}" of ${quoteQName(change.table)}`
                  : `DROP ${change.objectType.toUpperCase()} ${quoteQName(change.name)}`;
        context.report({ messageId: 'default', data: { what } });
      },
    };
  },
});
