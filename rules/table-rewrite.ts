import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'table-rewrite',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE',
    messages: {
      default: '{{how}} rewrites {{table}} while holding an ACCESS EXCLUSIVE lock: all reads and writes wait until the copy is done',
    },
    help: 'Use an online tool that rewrites without the long lock (pg_repack-style), or a maintenance window',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'table-rewrite' || context.isNewTable(change.table)) return;
        context.report({ messageId: 'default', data: { how: change.how.toUpperCase(), table: change.table.name ? quoteQName(change.table) : 'every clustered table' } });
      },
    };
  },
});
