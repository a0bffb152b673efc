import { defineRule } from '../src/lint/rule.js';
import type { ConstraintSpec } from '../src/sql/changes.js';
import { constraintName, quoteIdent, quoteQName } from '../src/sql/names.js';

/** `UNIQUE` / `PRIMARY KEY` when the constraint builds a new index, else undefined. */
function buildsIndex(c: ConstraintSpec): string | undefined {
  if ((c.kind !== 'unique' && c.kind !== 'primary-key') || c.usingIndex) return undefined;
  return c.kind === 'unique' ? 'UNIQUE' : 'PRIMARY KEY';
}

export default defineRule({
  meta: {
    id: 'add-constraint-builds-index',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'index',
    plannable: true,
    description: 'ADD PRIMARY KEY / ADD UNIQUE without USING INDEX builds the index under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'ADD {{kind}} {{name}} on {{table}} builds its index while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the build',
        help: 'Build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT … {{kind}} USING INDEX`; `pgphase plan <file>` writes both steps',
      },
      column: {
        message:
          'Adding column {{column}} to {{table}} with {{kind}} builds its index while holding an ACCESS EXCLUSIVE lock: all reads and writes of {{table}} wait for the build',
        help: 'Add {{column}} without {{kind}}, build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT … {{kind}} USING INDEX`; `pgphase plan <file>` writes these steps',
      },
    },
  },
  kinds: ['add-column', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        if (change.kind === 'add-column') {
          if (context.isNewTable(change.table)) return;
          // IF NOT EXISTS on a column that exists skips the whole sub-command, its constraints too
          if (change.ifNotExists && context.schema.column(change.table, change.column.name)) return;
          for (const c of change.column.constraints) {
            const kind = buildsIndex(c);
            if (kind)
              context.report({
                messageId: 'column',
                data: { column: quoteIdent(change.column.name), table: quoteQName(change.table), kind },
              });
          }
          return;
        }
        if (context.isNewTable(change.table)) return;
        const kind = buildsIndex(change.constraint);
        // named: two keys added in one statement are two findings
        const name = quoteIdent(constraintName(change.table.name, change.constraint));
        if (kind) context.report({ messageId: 'default', data: { table: quoteQName(change.table), kind, name } });
      },
    };
  },
});
