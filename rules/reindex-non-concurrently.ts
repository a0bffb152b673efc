import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

/** What a REINDEX names, from the parser's `kind` (the change does not say). */
const TARGETS: Record<string, 'INDEX' | 'TABLE' | 'SCHEMA' | 'DATABASE' | 'SYSTEM'> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
  REINDEX_OBJECT_SYSTEM: 'SYSTEM',
};

export default defineRule({
  meta: {
    id: 'reindex-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds',
    pgVersion: { min: 12 },
    messages: {
      default:
        'REINDEX {{target}} without CONCURRENTLY blocks writes to {{table}} and nearly every query on it until the rebuild ends: the index being rebuilt is locked ACCESS EXCLUSIVE, and planning any query on a table locks all of its indexes',
      many: "REINDEX {{target}} without CONCURRENTLY rebuilds the indexes of every table in it, one table at a time: while a table's indexes are rebuilt, writes to it and nearly every query on it wait, since planning any query on a table locks all of its indexes",
    },
    help: 'Use `REINDEX … CONCURRENTLY` (PostgreSQL 12 and later) outside a transaction',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'reindex' || change.concurrently) return;
        const kind = TARGETS[context.statement.node.ReindexStmt?.kind as string] ?? 'TABLE';
        // system catalogs cannot be reindexed concurrently: there is nothing better to suggest
        if (kind === 'SYSTEM') return;
        if (kind === 'SCHEMA' || kind === 'DATABASE') {
          context.report({ messageId: 'many', data: { target: change.target ? `${kind} ${quoteQName(change.target)}` : kind } });
          return;
        }
        const table = change.target && (kind === 'INDEX' ? context.schema.indexTable(change.target) : change.target);
        if (table && context.isNewTable(table)) return;
        context.report({
          messageId: 'default',
          data: { target: `${kind} ${change.target ? quoteQName(change.target) : ''}`.trim(), table: table ? quoteQName(table) : 'its table' },
        });
      },
    };
  },
});
