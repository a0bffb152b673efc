import { defineRule, dropAssumesExisting, GIVE_SCHEMA } from '../src/lint/rule.js';
import { PARTITIONED_DROP_HELP } from '../src/schema/model.js';
import { qkey, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'drop-index-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    plannable: true,
    description: "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table",
    messages: {
      default: {
        message:
          'Dropping index {{index}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table{{on}}: every read and write waits until it is done',
        help: 'Use `DROP INDEX CONCURRENTLY` outside a transaction; `pgphase plan <file>` does it in the contract phase',
      },
      partitioned: {
        message:
          'Dropping index {{index}} takes an ACCESS EXCLUSIVE lock on the partitioned table{{on}} and its partitions: every read and write waits until it is done, and PostgreSQL cannot drop it CONCURRENTLY',
        help: PARTITIONED_DROP_HELP,
      },
      assumed: {
        message: `Dropping index {{index}} (IF EXISTS) without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, if the index exists: no migration pgphase read creates it; to know, ${GIVE_SCHEMA}`,
        help: 'Use `DROP INDEX CONCURRENTLY` outside a transaction; `pgphase plan <file>` does it in the contract phase',
      },
    },
  },
  kinds: ['drop-index'],
  create(context) {
    return {
      change(change) {
        if (change.concurrently) return;
        const table = context.schema.indexTable(change.index);
        // a table or materialized view of this migration has no traffic to block
        if (
          table &&
          (context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table))))
        )
          return;
        // the table goes later in the transaction, and its ACCESS EXCLUSIVE lock with it: dropping the index first adds no wait
        if (table && context.laterInTransaction((c) => c.kind === 'drop-table' && qkey(c.table) === qkey(table)))
          return;
        const assumed = dropAssumesExisting(change.ifExists, table !== undefined);
        context.report({
          messageId: assumed ? 'assumed' : table && context.schema.isPartitioned(table) ? 'partitioned' : 'default',
          data: { index: quoteQName(change.index), on: table ? ` ${quoteQName(table)}` : '' },
          assumption: assumed,
        });
      },
    };
  },
});
