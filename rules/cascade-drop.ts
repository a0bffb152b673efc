import { defineRule } from '../src/lint/rule.js';
import type { Change } from '../src/sql/changes.js';
import { quoteIdent, quoteQName } from '../src/sql/names.js';

/** Objects named in a message before the rest are counted. */
const SHOWN = 5;

/** The statement a cascading drop belongs to and the object it names, e.g. [`DROP VIEW`, `"v"`]. */
function dropped(change: Change): [string, string] | undefined {
  if (!('cascade' in change) || !change.cascade) return undefined;
  switch (change.kind) {
    case 'drop-table':
      return ['DROP TABLE', quoteQName(change.table)];
    case 'drop-index':
      return ['DROP INDEX', quoteQName(change.index)];
    case 'drop-column':
      return [`ALTER TABLE ${quoteQName(change.table)}`, `DROP COLUMN ${quoteIdent(change.column)}`];
    case 'drop-constraint':
      return [`ALTER TABLE ${quoteQName(change.table)}`, `DROP CONSTRAINT ${quoteIdent(change.name)}`];
    case 'drop-object':
      return [`DROP ${change.objectType.toUpperCase()}`, quoteQName(change.name)];
    default:
      // TRUNCATE … CASCADE is the truncate rule's
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'cascade-drop',
    category: 'data-loss',
    severity: 'error',
    description: 'DROP … CASCADE silently drops every dependent object (views, constraints, columns of other tables)',
    messages: {
      default: {
        message:
          '{{what}} CASCADE also drops whatever depends on it — views, foreign keys, defaults — without naming them',
        help: 'Drop the dependent objects explicitly first, then drop without CASCADE',
      },
      many: {
        message:
          '{{what}} CASCADE also drops whatever depends on any of them — views, foreign keys, defaults — without naming them',
        help: 'Drop the dependent objects explicitly first, then drop without CASCADE',
      },
    },
  },
  create(context) {
    return {
      // once per statement: `DROP VIEW a, b, c CASCADE` is one decision
      statement() {
        // an indexed loop, not map() and filter() with their callbacks: this runs for every statement,
        // in code V8 does not optimize (bin/pgphase.cjs)
        const changes = context.changes;
        let head: string | undefined;
        let names: string[] | undefined;
        for (let i = 0; i < changes.length; i++) {
          const drop = dropped(changes[i]!);
          if (!drop) continue;
          head ??= drop[0];
          (names ??= []).push(drop[1]);
        }
        if (head === undefined || names === undefined) return;
        const more = names.length - SHOWN;
        const list = more > 1 ? `${names.slice(0, SHOWN).join(', ')} and ${more} more` : names.join(', ');
        context.report({ messageId: names.length > 1 ? 'many' : 'default', data: { what: `${head} ${list}` } });
      },
    };
  },
});
