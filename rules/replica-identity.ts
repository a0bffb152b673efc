import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'replica-identity',
    category: 'robustness',
    severity: 'error',
    description:
      'REPLICA IDENTITY NOTHING or FULL on a published table: its UPDATEs and DELETEs fail, or replicate at the cost of whole rows',
    messages: {
      nothing: {
        message:
          'REPLICA IDENTITY NOTHING on {{table}}, published by {{publication}}, makes every UPDATE and DELETE on {{table}} fail ("cannot update table … because it does not have a replica identity and publishes updates")',
        help: 'Keep the primary key as the replica identity, or name a unique index over NOT NULL columns with `REPLICA IDENTITY USING INDEX`',
      },
      nothingAssumed: {
        message:
          'REPLICA IDENTITY NOTHING on {{table}} makes every UPDATE and DELETE on it fail if a publication publishes it; no publication pgphase read does, one may have been made outside the migrations',
        help: 'Keep the primary key as the replica identity, or name a unique index over NOT NULL columns with `REPLICA IDENTITY USING INDEX`',
      },
      full: {
        message:
          'REPLICA IDENTITY FULL on {{table}}, published by {{publication}}, writes the whole old row to the WAL for every UPDATE and DELETE, and the subscriber finds each row by a scan of its copy when no index fits',
        help: 'Keep the primary key as the replica identity, or name a unique index over NOT NULL columns with `REPLICA IDENTITY USING INDEX`',
      },
    },
  },
  kinds: ['alter-table-other'],
  create(context) {
    return {
      change(change) {
        const identity = change.replicaIdentity;
        if ((identity !== 'nothing' && identity !== 'full') || context.isNewTable(change.table)) return;
        const publication = context.schema.publishedIn(change.table);
        const table = quoteQName(change.table);
        if (publication !== undefined)
          context.report({ messageId: identity, data: { table, publication: quoteIdent(publication) } });
        else if (identity === 'nothing')
          context.report({ messageId: 'nothingAssumed', data: { table }, assumption: true });
      },
    };
  },
});
