import { defineRule } from '../src/lint/rule.js';
import type { Change } from '../src/sql/changes.js';

/** The clause that would make the change safe to run again, when it lacks one. */
function missingGuard(change: Change): string | undefined {
  switch (change.kind) {
    case 'create-table':
    case 'create-index':
    case 'add-column':
      return change.ifNotExists ? undefined : 'IF NOT EXISTS';
    case 'drop-table':
    case 'drop-index':
    case 'drop-column':
    case 'drop-constraint':
    case 'drop-object':
      return change.ifExists ? undefined : 'IF EXISTS';
    case 'create-object':
      return change.orReplace ? undefined : 'OR REPLACE / IF NOT EXISTS';
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'non-idempotent',
    category: 'robustness',
    severity: 'off',
    description: 'A statement outside a transaction that cannot be re-run after a partial failure (no IF [NOT] EXISTS)',
    messages: {
      default: 'This statement runs outside a transaction and fails when the migration is re-run after a partial failure: it lacks {{guard}}',
    },
    help: 'Add {{guard}} so a re-run after a failure picks up where it stopped',
  },
  create(context) {
    let reported = -1;
    return {
      change(change) {
        if (context.inTransaction || reported === context.statement.index) return;
        const guard = missingGuard(change);
        if (!guard) return;
        reported = context.statement.index;
        context.report({ messageId: 'default', data: { guard } });
      },
    };
  },
});
