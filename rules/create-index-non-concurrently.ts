import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteIdent, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'create-index-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'CREATE INDEX without CONCURRENTLY on an existing table blocks every write while the index builds',
    messages: {
      default: 'Building index {{index}} on {{table}} without CONCURRENTLY holds a SHARE lock that blocks every INSERT, UPDATE and DELETE on {{table}} until the build ends',
    },
    help: 'Use `CREATE INDEX CONCURRENTLY` outside a transaction; `pgphase plan <file>` does it in the expand phase',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'create-index' || change.concurrently) return;
        // ON ONLY a partitioned table builds nothing: it records an invalid index on the parent, to which each
        // partition's index (built CONCURRENTLY) is attached; PostgreSQL refuses CONCURRENTLY there
        if (change.index.only) return;
        // a table or materialized view created earlier in this migration has no traffic to block
        const table = change.index.table;
        if (context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table)))) return;
        const index = change.index.name ? quoteIdent(change.index.name) : '(unnamed)';
        context.report({ messageId: 'default', data: { index, table: quoteQName(change.index.table) } });
      },
    };
  },
});
