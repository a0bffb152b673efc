import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteQName, type QName } from '../src/sql/names.js';

/** What a rewrite without a table name covers. */
const SCOPE: Record<string, string> = { cluster: 'every clustered table', 'vacuum full': 'the whole database' };

export default defineRule({
  meta: {
    id: 'table-rewrite',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'rewrite',
    description:
      'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          '{{how}} rewrites {{table}} while holding an ACCESS EXCLUSIVE lock: all reads and writes wait until the copy is done',
        help: 'Use an online tool that rewrites without the long lock (pg_repack-style), or a maintenance window',
      },
      all: {
        message:
          '{{how}} without a table name rewrites {{scope}}, one table at a time, each under an ACCESS EXCLUSIVE lock: all reads and writes of a table wait until its copy is done',
        help: 'Name the tables that need it, and use an online tool that rewrites without the long lock (pg_repack-style), or a maintenance window',
      },
    },
  },
  kinds: ['table-rewrite'],
  create(context) {
    const report = (how: string, table: QName) => {
      if (table.name === '')
        context.report({ messageId: 'all', data: { how: how.toUpperCase(), scope: SCOPE[how] ?? 'every table' } });
      else context.report({ messageId: 'default', data: { how: how.toUpperCase(), table: quoteQName(table) } });
    };
    return {
      change(change) {
        if (context.isNewTable(change.table)) return;
        if (context.isNewObject(change.table) && context.schema.views.has(qkey(change.table))) return;
        report(change.how, change.table);
      },
    };
  },
});
