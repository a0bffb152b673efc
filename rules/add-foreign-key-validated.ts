import { defineRule } from '../src/lint/rule.js';
import type { ColumnSpec } from '../src/sql/changes.js';
import { qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

const SERIAL = new Set(['serial', 'bigserial', 'smallserial']);

/**
 * Why PostgreSQL fills a new column on existing rows, if it does. A foreign key on a new column
 * is checked against existing rows only then: without any of these every row is NULL and
 * PostgreSQL skips the check (even `DEFAULT NULL` makes it check).
 */
function filledBy(column: ColumnSpec): string | undefined {
  if (column.generated) return 'generation expression';
  if (column.identity || SERIAL.has(column.type.name)) return 'sequence';
  if (column.default) return 'default';
  return undefined;
}

export default defineRule({
  meta: {
    id: 'add-foreign-key-validated',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'scan',
    plannable: true,
    description: 'A foreign key added without NOT VALID scans the table under SHARE ROW EXCLUSIVE on both tables',
    messages: {
      default: {
        message:
          'Adding a validated foreign key to {{table}} checks every existing row while holding SHARE ROW EXCLUSIVE locks on {{table}} and {{references}}, which block their writes',
        help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
      },
      self: {
        message:
          'Adding a validated foreign key from {{table}} to itself checks every existing row while holding a SHARE ROW EXCLUSIVE lock on {{table}}, which blocks its writes',
        help: 'Add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
      },
      column: {
        message:
          'Adding column {{column}} to {{table}} with a {{filled}} and a foreign key to {{references}} checks every existing row against {{references}} while holding an ACCESS EXCLUSIVE lock on {{table}}, which blocks its reads and writes, and a SHARE ROW EXCLUSIVE lock on {{references}}, which blocks its writes',
        help: 'Add {{column}} without REFERENCES, then `ADD FOREIGN KEY … NOT VALID`, and `VALIDATE CONSTRAINT` in a later transaction (SHARE UPDATE EXCLUSIVE only); `pgphase plan <file>` splits it so',
      },
    },
  },
  kinds: ['add-column', 'add-constraint'],
  create(context) {
    return {
      change(change) {
        if (change.kind === 'add-column') {
          const { table, column } = change;
          const filled = filledBy(column);
          if (!filled || context.isNewTable(table)) return;
          // IF NOT EXISTS on a column that exists skips the whole sub-command, its foreign key too
          if (change.ifNotExists && context.schema.column(table, column.name)) return;
          for (const fk of column.constraints) {
            if (fk.kind !== 'foreign-key' || !fk.references) continue;
            context.report({
              messageId: 'column',
              data: {
                column: quoteIdent(column.name),
                table: quoteQName(table),
                filled,
                references: quoteQName(fk.references.table),
              },
            });
          }
          return;
        }
        if (change.constraint.kind !== 'foreign-key' || change.constraint.notValid) return;
        if (context.isNewTable(change.table)) return;
        const references = change.constraint.references!.table;
        context.report({
          messageId: qkey(references) === qkey(change.table) ? 'self' : 'default',
          data: { table: quoteQName(change.table), references: quoteQName(references) },
        });
      },
    };
  },
});
