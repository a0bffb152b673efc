import { defineRule } from '../src/lint/rule.js';
import type { IndexSpec } from '../src/sql/changes.js';
import { PARTITIONED_INDEX_HELP, type IndexModel, type SchemaModel } from '../src/schema/model.js';
import { qkey, quoteIdent, quoteQName, unqkey } from '../src/sql/names.js';
import { fingerprint } from '../src/sql/normalize.js';

/** Whether PostgreSQL would attach this existing index of a partition to the new parent index instead of building one. */
function matches(index: IndexModel, spec: IndexSpec): boolean {
  if (index.unique !== spec.unique) return false;
  if (index.definition) {
    const { method, elements, where } = index.definition;
    return (
      method === spec.method &&
      fingerprint(elements) === fingerprint(spec.elements) &&
      fingerprint(where?.node) === fingerprint(spec.where?.node) &&
      spec.include.length === 0
    );
  }
  // an index behind a constraint: plain key columns, btree, no predicate
  return (
    spec.method === 'btree' &&
    !spec.where &&
    spec.include.length === 0 &&
    spec.elements.every((e) => !e.IndexElem?.expr) &&
    index.columns.join() === spec.columns.join()
  );
}

/**
 * Whether an index on a partitioned table only attaches indexes its partitions already have, so
 * builds nothing: each partition (or every partition of a partitioned partition) has a matching
 * index not yet attached elsewhere. Which are attached is not kept, so a partition needs one
 * matching index more than the parent has: each of those holds one.
 */
function attachesOnly(schema: SchemaModel, table: string, spec: IndexSpec): boolean {
  const parts = schema.partitions.get(table);
  if (!parts?.size) return false;
  const taken = schema.tableIndexes(unqkey(table)).filter((i) => matches(i, spec)).length;
  return [...parts].every(
    (part) =>
      schema.tableIndexes(unqkey(part)).filter((i) => matches(i, spec)).length > taken ||
      attachesOnly(schema, part, spec),
  );
}

export default defineRule({
  meta: {
    id: 'create-index-non-concurrently',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'index',
    plannable: true,
    description: 'CREATE INDEX without CONCURRENTLY on an existing table blocks every write while the index builds',
    messages: {
      default: {
        message:
          'Building index {{index}} on {{table}} without CONCURRENTLY holds a SHARE lock that blocks every INSERT, UPDATE and DELETE on {{table}} until the build ends',
        help: 'Use `CREATE INDEX CONCURRENTLY` outside a transaction; `pgphase plan <file>` does it in the expand phase',
      },
      partitioned: {
        message:
          'Building index {{index}} on the partitioned table {{table}} without CONCURRENTLY holds a SHARE lock that blocks every INSERT, UPDATE and DELETE on {{table}} and its partitions until every partition is indexed',
        help: PARTITIONED_INDEX_HELP,
      },
    },
  },
  kinds: ['create-index'],
  create(context) {
    return {
      change(change) {
        if (change.concurrently) return;
        // ON ONLY a partitioned table builds nothing: it records an invalid index on the parent, to which each
        // partition's index (built CONCURRENTLY) is attached; PostgreSQL refuses CONCURRENTLY there
        if (change.index.only) return;
        // a table created earlier in this migration has no traffic to block; a materialized view takes no
        // writes (the SHARE lock holds up only REFRESH), and its reads do not conflict with the lock
        const table = change.index.table;
        if (context.isNewTable(table) || context.schema.views.has(qkey(table))) return;
        // every partition already has the index (built CONCURRENTLY): PostgreSQL attaches them and builds nothing
        if (attachesOnly(context.schema, qkey(table), change.index)) return;
        const index = change.index.name ? quoteIdent(change.index.name) : '(unnamed)';
        context.report({
          messageId: context.schema.isPartitioned(table) ? 'partitioned' : 'default',
          data: { index, table: quoteQName(change.index.table) },
        });
      },
    };
  },
});
