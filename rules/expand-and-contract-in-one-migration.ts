import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'expand-and-contract-in-one-migration',
    category: 'robustness',
    severity: 'error',
    plannable: true,
    description:
      'One migration adds a replacement and removes or renames the original: the running version breaks between deploys',
    messages: {
      column: {
        message:
          'This migration adds {{added}} to {{table}} and removes {{removed}}: the running version, which uses {{removed}}, breaks before the new version is deployed',
        help: 'Ship the addition first and the removal in a later release, or let `pgphase plan <file>` split them into phases (values copied from the removed column are planned only as a RENAME COLUMN, which a trigger keeps in step)',
      },
      table: {
        message:
          'This migration copies {{table}} into the new table {{added}} and drops {{table}}: the running version, which uses {{table}}, breaks before the new version is deployed',
        help: 'Ship the copy first and the removal in a later release, once no deployed version writes the original: rows it writes after the copy are lost otherwise. If the new table holds the same rows, RENAME the table instead',
      },
    },
  },
  kinds: ['add-column', 'data-change', 'drop-column', 'rename-column', 'drop-table', 'rename-table'],
  create(context) {
    let addedColumns: Map<string, string[]>;
    let copiedInto: Map<string, string>;
    return {
      file() {
        addedColumns = new Map();
        copiedInto = new Map();
      },
      change(change) {
        switch (change.kind) {
          case 'add-column': {
            if (context.isNewTable(change.table)) return;
            // appended in place: a copy per column would be quadratic in a file of thousands of them
            // (the table's qkey made once, the list stored once: this runs for every added column)
            const key = qkey(change.table);
            const added = addedColumns.get(key);
            if (added) added.push(change.column.name);
            else addedColumns.set(key, [change.column.name]);
            return;
          }
          case 'data-change':
            if (change.op === 'insert' && context.isNewTable(change.table)) {
              for (const read of change.reads)
                if (!context.isNewTable(read)) copiedInto.set(qkey(read), change.table.name);
            }
            return;
          case 'drop-column':
          case 'rename-column': {
            const added = addedColumns.get(qkey(change.table));
            // removing a column this migration added (`status_new` renamed to `status`) removes nothing the running version uses
            if (!added?.length || context.isNewColumn(change.table, change.column)) return;
            context.report({
              messageId: 'column',
              data: {
                table: quoteQName(change.table),
                added: added.map(quoteIdent).join(', '),
                removed: quoteIdent(change.column),
              },
            });
            return;
          }
          case 'drop-table':
          case 'rename-table': {
            const added = copiedInto.get(qkey(change.table));
            if (added)
              context.report({
                messageId: 'table',
                data: { table: quoteQName(change.table), added: quoteIdent(added) },
              });
            return;
          }
        }
      },
    };
  },
});
