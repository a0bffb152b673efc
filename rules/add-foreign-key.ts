import { defineRule } from '../src/lint/rule.js';
import type { ColumnSpec, ConstraintSpec } from '../src/sql/changes.js';
import { qkey, quoteIdent, quoteQName, type QName } from '../src/sql/names.js';

const SERIAL: ReadonlySet<string> = new Set(['serial', 'bigserial', 'smallserial']);

/** Does the new column get a non-NULL value on rows whose writer does not name it (old INSERTs, existing rows)? */
function filledForOldWriters(column: ColumnSpec): boolean {
  if (column.generated || column.identity || SERIAL.has(column.type.name)) return true;
  const node = column.default?.node;
  const constant = node?.TypeCast ? node.TypeCast.arg : node;
  return node !== undefined && constant?.A_Const?.isnull !== true;
}

function signature(table: QName, c: ConstraintSpec): string {
  return `${qkey(table)}|${c.columns.join(',')}|${qkey(c.references!.table)}|${c.references!.columns.join(',')}`;
}

export default defineRule({
  meta: {
    id: 'add-foreign-key',
    category: 'breaks-old-code',
    severity: 'warning',
    description:
      'A new foreign key on an existing table: the running version may write orphans or delete in the wrong order',
    messages: {
      default: {
        message:
          'The foreign key {{table}}({{columns}}) → {{references}} makes writes and deletes of the running version that break it fail',
        help: 'Add the foreign key (NOT VALID) only once every deployed version keeps it; otherwise in contract',
      },
    },
  },
  kinds: ['drop-constraint', 'add-column', 'add-constraint'],
  create(context) {
    // foreign keys that existed before this migration: re-adding one (say, with another ON DELETE) is no new rule for writers
    let existed: Set<string>;
    // one loop, not a spread, filter() and map() with their callbacks: this runs for every dropped
    // constraint and new foreign key, in code V8 does not optimize (bin/pgphase.cjs)
    const current = (table: QName) => {
      const signatures: string[] = [];
      const constraints = context.schema.table(table)?.constraints;
      if (constraints)
        for (const c of constraints.values())
          if (c.kind === 'foreign-key' && c.references) signatures.push(signature(table, c));
      return signatures;
    };
    const report = (table: QName, fk: ConstraintSpec) =>
      context.report({
        messageId: 'default',
        data: {
          table: quoteQName(table),
          columns: fk.columns.map(quoteIdent).join(', '),
          references: quoteQName(fk.references!.table),
        },
      });
    return {
      file() {
        existed = new Set();
      },
      change(change) {
        if (change.kind === 'drop-constraint') {
          for (const s of current(change.table)) existed.add(s);
          return;
        }
        // a new column only the new version writes is NULL for the running one, which a foreign key accepts;
        // one with a default (or generated) is filled on existing rows and on the running version's inserts
        if (change.kind === 'add-column') {
          if (context.isNewTable(change.table) || !filledForOldWriters(change.column)) return;
          if (change.ifNotExists && context.schema.column(change.table, change.column.name)) return;
          for (const fk of change.column.constraints)
            if (fk.kind === 'foreign-key' && fk.references) report(change.table, fk);
          return;
        }
        if (change.constraint.kind !== 'foreign-key' || context.isNewTable(change.table)) return;
        const s = signature(change.table, change.constraint);
        if (existed.has(s) || current(change.table).includes(s)) return;
        report(change.table, change.constraint);
      },
    };
  },
});
