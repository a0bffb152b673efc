import { defineRule } from '../src/lint/rule.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

const KIND: Record<string, string> = {
  'foreign-key': 'foreign key',
  check: 'check constraint',
  unique: 'unique constraint',
  'primary-key': 'primary key',
  exclusion: 'exclusion constraint',
};

export default defineRule({
  meta: {
    id: 'drop-constraint',
    category: 'data-loss',
    severity: 'warning',
    description: 'Dropping a foreign key, check, unique or primary key constraint removes an integrity guarantee',
    messages: {
      default: 'Dropping {{kind}} {{name}} of {{table}} removes a guarantee: rows that break it can be written from now on',
    },
    help: 'Confirm nothing relies on the guarantee, and suppress with `-- pgphase-ignore drop-constraint: <why>`',
  },
  create(context) {
    return {
      change(change) {
        if (change.kind !== 'drop-constraint' || context.isNewTable(change.table)) return;
        // dropped and added again under the same name in the same transaction: a change of definition
        if (context.laterInTransaction((c) => c.kind === 'add-constraint' && c.constraint.name === change.name)) return;
        const known = context.schema.table(change.table)?.constraints.get(change.name);
        context.report({
          messageId: 'default',
          data: { kind: known ? (KIND[known.kind] ?? 'constraint') : 'constraint', name: quoteIdent(change.name), table: quoteQName(change.table) },
        });
      },
    };
  },
});
