import { defineRule } from '../src/lint/rule.js';
import { qkey, quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'reindex-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'index',
    description:
      'REINDEX without CONCURRENTLY blocks writes to the table and nearly every query on it while it rebuilds',
    pgVersion: { min: 12 },
    messages: {
      default: {
        message:
          'REINDEX {{target}} without CONCURRENTLY blocks writes to {{table}} and nearly every query on it until the rebuild ends: the index being rebuilt is locked ACCESS EXCLUSIVE, and planning any query on a table locks all of its indexes',
        help: 'Use `REINDEX … CONCURRENTLY` (PostgreSQL 12 and later) outside a transaction',
      },
      many: {
        message:
          "REINDEX {{target}} without CONCURRENTLY rebuilds the indexes of every table in it, one table at a time: while a table's indexes are rebuilt, writes to it and nearly every query on it wait, since planning any query on a table locks all of its indexes",
        help: 'Use `REINDEX … CONCURRENTLY` (PostgreSQL 12 and later) outside a transaction',
      },
    },
  },
  kinds: ['reindex'],
  create(context) {
    return {
      change(change) {
        if (change.concurrently) return;
        const kind = change.targetKind.toUpperCase();
        // system catalogs cannot be reindexed concurrently: there is nothing better to suggest
        if (kind === 'SYSTEM') return;
        if (kind === 'SCHEMA' || kind === 'DATABASE') {
          context.report({
            messageId: 'many',
            data: { target: change.target ? `${kind} ${quoteQName(change.target)}` : kind },
          });
          return;
        }
        const table = change.target && (kind === 'INDEX' ? context.schema.indexTable(change.target) : change.target);
        if (
          table &&
          (context.isNewTable(table) || (context.isNewObject(table) && context.schema.views.has(qkey(table))))
        )
          return;
        context.report({
          messageId: 'default',
          data: {
            target: `${kind} ${change.target ? quoteQName(change.target) : ''}`.trim(),
            table: table ? quoteQName(table) : 'its table',
          },
        });
      },
    };
  },
});
