import { defineRule } from '../src/lint/rule.js';
import type { ColumnSpec } from '../src/sql/changes.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

function key(table: QName, columns: Array<string | null>): string {
  return `${qkey(table)}|${[...columns].sort().join(',')}`;
}

/** The new column's default when it is one constant, which every existing row and every INSERT that omits the column gets. */
function constantDefault(column: ColumnSpec): string | undefined {
  const node = column.default?.node;
  const value = node?.TypeCast ? node.TypeCast.arg : node;
  return value?.A_Const && value.A_Const.isnull !== true ? column.default!.text : undefined;
}

export default defineRule({
  meta: {
    id: 'add-unique-constraint',
    category: 'breaks-old-code',
    severity: 'warning',
    description:
      'A new UNIQUE or PRIMARY KEY constraint or unique index on an existing table: writes of the running version may violate it',
    messages: {
      default: {
        message:
          'Making {{columns}} of {{table}} unique makes writes of the running version that duplicate a value fail',
        help: 'Add the unique index in expand only if the running version never writes duplicates; otherwise in contract',
      },
      column: {
        message:
          "Adding column {{column}} to {{table}} as {{kind}} with the constant default {{default}} gives every existing row and every INSERT of the running version the same value: the ALTER fails on a table with two rows or more, and the running version's INSERTs fail as duplicates",
        help: 'Give {{column}} a default that differs per row, such as `gen_random_uuid()` or an identity (a UNIQUE column may also have none: NULLs never collide)',
      },
    },
  },
  kinds: ['drop-constraint', 'drop-index', 'add-column', 'add-constraint', 'create-index'],
  create(context) {
    // column sets already unique before this migration (dropped and re-added: no new rule for writers)
    let wasUnique: Set<string>;
    // one indexed loop, not filter() and map() with their callbacks: this runs for every new unique
    // index or constraint and every dropped one, in code V8 does not optimize (bin/pgphase.cjs)
    const uniqueNow = (table: QName) => {
      const keys: string[] = [];
      const indexes = context.schema.tableIndexes(table);
      for (let i = 0; i < indexes.length; i++)
        if (indexes[i]!.unique && !indexes[i]!.partial) keys.push(key(table, indexes[i]!.columns));
      return keys;
    };
    const check = (table: QName, columns: Array<string | null>) => {
      if (context.isNewTable(table)) return;
      const k = key(table, columns);
      if (!columns.includes(null) && (wasUnique.has(k) || uniqueNow(table).includes(k))) return;
      const shown = columns.map((c) => (c === null ? '(expression)' : quoteIdent(c))).join(', ') || '(expression)';
      context.report({ messageId: 'default', data: { table: quoteQName(table), columns: shown } });
    };
    return {
      file() {
        wasUnique = new Set();
      },
      change(change) {
        if (change.kind === 'drop-constraint' || change.kind === 'drop-index') {
          const table = change.kind === 'drop-index' ? context.schema.indexTable(change.index) : change.table;
          if (table) for (const k of uniqueNow(table)) wasUnique.add(k);
        }
        // NULLs never collide; a constant default gives every existing row and every INSERT that omits the column one value
        // (a column without constraints, as most are, skips the filter() and its callback, in code V8 does not optimize)
        if (change.kind === 'add-column' && change.column.constraints.length > 0) {
          const keys = change.column.constraints.filter((c) => c.kind === 'unique' || c.kind === 'primary-key');
          // the default's text is a deparse: only for a column made unique
          const value = keys.length > 0 ? constantDefault(change.column) : undefined;
          if (!value || context.isNewTable(change.table)) return;
          // IF NOT EXISTS on a column that exists skips the whole sub-command, its constraints too
          if (change.ifNotExists && context.schema.column(change.table, change.column.name)) return;
          for (const c of keys) {
            const kind = c.kind === 'unique' ? 'UNIQUE' : 'PRIMARY KEY';
            context.report({
              messageId: 'column',
              data: { column: quoteIdent(change.column.name), table: quoteQName(change.table), kind, default: value },
            });
          }
        }
        // USING INDEX turns an index that already enforces uniqueness into a constraint
        if (
          change.kind === 'add-constraint' &&
          (change.constraint.kind === 'unique' || change.constraint.kind === 'primary-key') &&
          !change.constraint.usingIndex
        ) {
          check(change.table, change.constraint.columns);
        }
        // a materialized view has no writer for the index to refuse; the unique index is what REFRESH … CONCURRENTLY needs
        if (
          change.kind === 'create-index' &&
          change.index.unique &&
          !context.schema.views.has(qkey(change.index.table))
        )
          check(change.index.table, change.index.columns);
      },
    };
  },
});
