import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-published-primary-key',
    category: 'breaks-old-code',
    severity: 'error',
    description:
      'Dropping the primary key of a published table: its UPDATEs and DELETEs fail without a replica identity',
    messages: {
      default: {
        message:
          'Dropping the primary key {{constraint}} of {{table}}, published by {{publication}}, leaves it without a replica identity: every UPDATE and DELETE on {{table}} fails ("cannot update table … because it does not have a replica identity and publishes updates")',
        help: 'Set `REPLICA IDENTITY USING INDEX` to a unique index over NOT NULL columns first, or add the new primary key in the same transaction',
      },
    },
  },
  kinds: ['drop-constraint'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        if (context.schema.table(change.table)?.constraints.get(change.name)?.kind !== 'primary-key') return;
        const publication = context.schema.publishedIn(change.table);
        const table = qkey(change.table);
        // a new primary key in the same transaction is the replica identity when the change becomes visible
        if (
          publication === undefined ||
          context.laterInTransaction(
            (c) => c.kind === 'add-constraint' && c.constraint.kind === 'primary-key' && qkey(c.table) === table,
          )
        )
          return;
        context.report({
          messageId: 'default',
          data: {
            table: quoteQName(change.table),
            constraint: quoteIdent(change.name),
            publication: quoteIdent(publication),
          },
        });
      },
    };
  },
});
