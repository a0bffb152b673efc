import { defineRule } from '../src/lint/rule.js';
import { quoteQName, type QName } from '../src/sql/names.js';

type Node = Record<string, any>;

/** A boolean option as PostgreSQL reads it: no value, `true`, `on`, `1` … */
function isOn(option: Node): boolean {
  const arg = option.arg as Node | undefined;
  if (!arg) return true;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  return !['false', 'off', 'no', '0'].includes(String(arg.String?.sval ?? arg.Boolean?.boolval ?? '').toLowerCase());
}

/** `VACUUM FULL` (or `VACUUM (FULL)`) naming no table: every table of the database. */
function isDatabaseVacuumFull(node: Node): boolean {
  const s = node.VacuumStmt as Node | undefined;
  if (!s || s.is_vacuumcmd !== true || (s.rels ?? []).length > 0) return false;
  return (s.options ?? []).some((o: Node) => o.DefElem?.defname === 'full' && isOn(o.DefElem));
}

/** What a rewrite without a table name covers. */
const SCOPE: Record<string, string> = { cluster: 'every clustered table', 'vacuum full': 'the whole database' };

export default defineRule({
  meta: {
    id: 'table-rewrite',
    category: 'blocks-traffic',
    severity: 'error',
    description: 'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE',
    messages: {
      default: '{{how}} rewrites {{table}} while holding an ACCESS EXCLUSIVE lock: all reads and writes wait until the copy is done',
      all: '{{how}} without a table name rewrites {{scope}}, one table at a time, each under an ACCESS EXCLUSIVE lock: all reads and writes of a table wait until its copy is done',
    },
    help: 'Use an online tool that rewrites without the long lock (pg_repack-style), or a maintenance window',
  },
  create(context) {
    const report = (how: string, table: QName) => {
      if (table.name === '') context.report({ messageId: 'all', data: { how: how.toUpperCase(), scope: SCOPE[how] ?? 'every table' } });
      else context.report({ messageId: 'default', data: { how: how.toUpperCase(), table: quoteQName(table) } });
    };
    return {
      statement(statement) {
        // the normalizer gives `VACUUM FULL;` no change; judge it here until it does
        if (isDatabaseVacuumFull(statement.node) && !context.changes.some((c) => c.kind === 'table-rewrite')) report('vacuum full', { name: '' });
      },
      change(change) {
        if (change.kind !== 'table-rewrite' || context.isNewTable(change.table)) return;
        report(change.how, change.table);
      },
    };
  },
});
