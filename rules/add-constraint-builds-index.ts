import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'add-constraint-builds-index',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'ADD PRIMARY KEY / ADD UNIQUE without USING INDEX builds the index under ACCESS EXCLUSIVE',
    messages: {
      default: 'ADD {{kind}} on {{table}} builds its index while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the build',
    },
    help: 'Build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT … {{kind}} USING INDEX`; `pgphase plan <file>` writes both steps',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'add-constraint' || context.isNewTable(change.table)) return;
        const c = change.constraint;
        if ((c.kind !== 'unique' && c.kind !== 'primary-key') || c.usingIndex) return;
        context.report({ messageId: 'default', data: { table: quoteQName(change.table), kind: c.kind === 'unique' ? 'UNIQUE' : 'PRIMARY KEY' } });
      },
    };
  },
});
