// Lint with evidence (`pgphase lint --queries`): the breaks-old-code findings are weighed against
// the running version's own queries, read from their parse trees. A finding says how many queries
// it breaks (a drop or rename: those naming what it removes; a new NOT NULL or a dropped default:
// the INSERTs that leave the column out; a new constraint or trigger: the writes it checks or
// fires on; a type change, a dropped NOT NULL: those reading or writing the column; …), with one;
// a drop or rename no query names becomes a warning saying so. A query names a column when it names the
// column's table and the column (unqualified, or qualified by the table or its alias), or `*`
// of it (a prepared `SELECT *` fails once a column is gone: "cached plan must not change result
// type", and the code reads the field); an INSERT without a column list names every column.
// What functions and views do in between is not looked into.
import type { FileResult } from '../lint/engine.js';
import { summarize, type LintResult } from '../lint/result.js';
import type { Finding } from '../lint/rule.js';
import type { Change } from '../sql/changes.js';
import { quoteIdent, quoteQName, type QName } from '../sql/names.js';
import { normalizeStatement } from '../sql/normalize.js';
import { type PgNode, parseSource } from '../sql/source.js';
import { shorten } from './format.js';
import type { Query, QuerySet } from './sources.js';

/** The relations and columns a query names. */
interface Usage {
  /** Alias or name → table name. */
  relations: Map<string, string>;
  tables: Set<string>;
  /** Columns, each with the qualifier written before it (an alias or a table), `*` for a star. */
  columns: Array<{ qualifier?: string; name: string }>;
  /** INSERT targets with their column list (undefined: none, every column by position). */
  inserts: Array<{ table: string; columns?: string[] }>;
  /** UPDATE targets with the columns they set, and DELETE targets. */
  updates: Array<{ table: string; columns: string[] }>;
  deletes: Set<string>;
  /** String constants, where an enum label would be written. */
  strings: Set<string>;
  /** Functions called, by name. */
  functions: Set<string>;
}

function usageOf(node: PgNode): Usage {
  const usage: Usage = {
    relations: new Map(),
    tables: new Set(),
    columns: [],
    inserts: [],
    updates: [],
    deletes: new Set(),
    strings: new Set(),
    functions: new Set(),
  };
  const names = (targets: PgNode[] | undefined, table: string) => {
    for (const t of targets ?? [])
      if (t.ResTarget?.name) usage.columns.push({ qualifier: table, name: t.ResTarget.name });
  };
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const item of n) walk(item);
      return;
    }
    if (!n || typeof n !== 'object') return;
    for (const [key, value] of Object.entries(n as PgNode)) {
      // a statement's target (INSERT, UPDATE, DELETE, MERGE) is a RangeVar without its node name
      if (key === 'RangeVar' || (key === 'relation' && typeof value?.relname === 'string')) {
        usage.tables.add(value.relname);
        usage.relations.set(value.relname, value.relname);
        if (value.alias?.aliasname) usage.relations.set(value.alias.aliasname, value.relname);
      } else if (key === 'ColumnRef') {
        const fields: PgNode[] = value.fields ?? [];
        const last = fields[fields.length - 1];
        const qualifier = fields[fields.length - 2]?.String?.sval as string | undefined;
        usage.columns.push({
          ...(qualifier !== undefined && { qualifier }),
          name: last?.A_Star ? '*' : (last?.String?.sval ?? ''),
        });
      } else if (key === 'A_Const') {
        if (typeof value.sval?.sval === 'string') usage.strings.add(value.sval.sval);
      } else if (key === 'DeleteStmt') {
        usage.deletes.add(value.relation.relname);
        walk(value);
      } else if (key === 'FuncCall') {
        const name = value.funcname?.[value.funcname.length - 1]?.String?.sval;
        if (name) usage.functions.add(name);
        walk(value);
      } else if (key === 'InsertStmt' || key === 'UpdateStmt') {
        const table: string = value.relation.relname;
        // the columns written: an INSERT's list, an UPDATE's SET, an upsert's conflict target and SET
        const columns = key === 'InsertStmt' ? value.cols : value.targetList;
        names(columns, table);
        if (key === 'InsertStmt') {
          usage.inserts.push({
            table,
            ...(value.cols && { columns: value.cols.map((c: PgNode) => c.ResTarget.name as string) }),
          });
          for (const e of value.onConflictClause?.infer?.indexElems ?? [])
            if (e.IndexElem?.name) usage.columns.push({ qualifier: table, name: e.IndexElem.name });
          names(value.onConflictClause?.targetList, table);
          walk({
            ...value,
            cols: undefined,
            onConflictClause: {
              ...value.onConflictClause,
              targetList: value.onConflictClause?.targetList?.map((t: PgNode) => t.ResTarget?.val),
            },
          });
        } else {
          usage.updates.push({ table, columns: value.targetList.map((t: PgNode) => t.ResTarget?.name as string) });
          walk({ ...value, targetList: value.targetList.map((t: PgNode) => t.ResTarget?.val) });
        }
      } else walk(value);
    }
  };
  walk(node);
  return usage;
}

/** Whether the query names the table. */
function namesTable(usage: Usage, table: QName): boolean {
  return usage.tables.has(table.name);
}

/** Whether the query names the column of the table (or all its columns). */
function namesColumn(usage: Usage, table: QName, column: string): boolean {
  if (!namesTable(usage, table)) return false;
  const ours = (qualifier?: string) => qualifier === undefined || usage.relations.get(qualifier) === table.name;
  return (
    usage.columns.some((c) => (c.name === column || c.name === '*') && ours(c.qualifier)) ||
    usage.inserts.some((i) => i.table === table.name && i.columns === undefined)
  );
}

/** The objects weighed: those queries name as a relation, and functions they call. */
const OBJECTS = new Set(['view', 'materialized view', 'function']);

function namesObject(usage: Usage, change: { objectType: string; name: QName }): boolean {
  return change.objectType === 'function' ? usage.functions.has(change.name.name) : usage.tables.has(change.name.name);
}

/** Whether the query writes one of the columns of the table (an INSERT without a list writes them all). */
function writes(usage: Usage, table: QName, columns: readonly string[]): boolean {
  return (
    usage.inserts.some(
      (i) => i.table === table.name && (i.columns === undefined || i.columns.some((c) => columns.includes(c))),
    ) || usage.updates.some((u) => u.table === table.name && u.columns.some((c) => columns.includes(c)))
  );
}

/** Whether the query is an INSERT into the table that names its columns and leaves `column` out. */
function leavesOut(usage: Usage, table: QName, column: string): boolean {
  return usage.inserts.some((i) => i.table === table.name && i.columns !== undefined && !i.columns.includes(column));
}

/** Whether a query breaks by the change (of a kind RULE_KINDS lists). */
function breaks(usage: Usage, change: Change): boolean {
  switch (change.kind) {
    case 'drop-column':
    case 'rename-column':
    case 'alter-column-type':
    case 'drop-not-null':
      return namesColumn(usage, change.table, change.column);
    case 'drop-table':
    case 'rename-table':
      return namesTable(usage, change.table);
    case 'drop-object':
    case 'rename-object':
      return namesObject(usage, change);
    case 'add-column':
      // an INSERT that leaves the new column out (no list: positional, the column NULL)
      return usage.inserts.some((i) => i.table === change.table.name && !i.columns?.includes(change.column.name));
    case 'set-not-null':
    case 'drop-default':
      return leavesOut(usage, change.table, change.column);
    case 'add-constraint':
      return writes(usage, change.table, change.constraint.columns);
    case 'create-index':
      return writes(
        usage,
        change.index.table,
        change.index.columns.filter((c): c is string => c !== null),
      );
    case 'drop-constraint':
      // a published table without its key: logical replication refuses its UPDATEs and DELETEs
      return usage.updates.some((u) => u.table === change.table.name) || usage.deletes.has(change.table.name);
    case 'create-object':
      // a trigger fires on the writes of its table
      return (
        change.table !== undefined &&
        (usage.inserts.some((i) => i.table === change.table!.name) ||
          usage.updates.some((u) => u.table === change.table!.name) ||
          usage.deletes.has(change.table.name))
      );
    case 'alter-table-other':
      // row level security: every query of the table sees (or writes) nothing without a policy
      return namesTable(usage, change.table);
    case 'enum-rename-value':
      return usage.strings.has(change.value);
    default:
      return false;
  }
}

/** The finding's rule → the change kinds it reports. */
export const RULE_KINDS: Record<string, ReadonlyArray<Change['kind']>> = {
  'drop-column': ['drop-column'],
  'rename-column': ['rename-column'],
  'drop-table': ['drop-table'],
  'rename-table': ['rename-table'],
  'drop-object': ['drop-object'],
  'rename-object': ['rename-object'],
  'add-required-column': ['add-column'],
  'set-not-null': ['set-not-null', 'add-constraint'],
  'drop-default': ['drop-default'],
  'change-column-type': ['alter-column-type'],
  'drop-not-null': ['drop-not-null'],
  'add-check-constraint': ['add-constraint', 'add-column'],
  'add-foreign-key': ['add-constraint', 'add-column'],
  'add-unique-constraint': ['add-constraint', 'create-index', 'add-column'],
  'drop-published-primary-key': ['drop-constraint'],
  'create-trigger': ['create-object'],
  'enable-rls-without-policy': ['alter-table-other'],
  'rename-enum-value': ['enum-rename-value'],
};

/** A drop or rename that no query names is no break: its finding becomes a warning. */
const REMOVES: ReadonlySet<Change['kind']> = new Set([
  'drop-column',
  'rename-column',
  'drop-table',
  'rename-table',
  'drop-object',
  'rename-object',
]);

/** What a change's finding names: its table or object, and its column. */
function named(change: Change): string[] {
  const object =
    'table' in change && change.table
      ? change.table
      : 'name' in change && typeof change.name === 'object'
        ? change.name
        : undefined;
  const column =
    'column' in change ? (typeof change.column === 'string' ? change.column : change.column.name) : undefined;
  return [...(object ? [quoteQName(object)] : []), ...(column !== undefined ? [quoteIdent(column)] : [])];
}

/** The change a finding reports: of its rule's kind, in the statement at its place, naming what its message names. */
function changeOf(finding: Finding, text: string | undefined, path: string): Change | undefined {
  const kinds = RULE_KINDS[finding.rule];
  if (kinds === undefined || text === undefined) return undefined;
  const statement = parseSource(path, text).statements.find(
    (s) => s.location.line <= finding.location.line && s.location.endLine >= finding.location.line,
  );
  if (!statement) return undefined;
  const change = normalizeStatement(statement).find(
    (c) => kinds.includes(c.kind) && named(c).every((n) => finding.message.includes(n)),
  );
  return change && (change.kind === 'drop-object' || change.kind === 'rename-object') && !OBJECTS.has(change.objectType)
    ? undefined
    : change;
}

function plural(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'query' : 'queries'}`;
}

/** Weighs one finding against the queries: evidence in its message, a warning when a drop or rename breaks none. */
function weighed(finding: Finding, change: Change, queries: Query[], usages: Usage[]): Finding {
  const broken = queries.filter((_, i) => breaks(usages[i]!, change));
  if (broken.length > 0)
    return {
      ...finding,
      message: `${finding.message}: breaks ${broken.length.toLocaleString('en-US')} of ${plural(queries.length)}, e.g. \`${shorten(broken[0]!.text)}\``,
    };
  if (!REMOVES.has(change.kind))
    return {
      ...finding,
      message: `${finding.message}: no query of the running version does (${plural(queries.length)} checked)`,
    };
  return {
    ...finding,
    severity: 'warning',
    message: `${finding.message}: no query of the running version uses it (${plural(queries.length)} checked)`,
  };
}

/** The lint result with its breaks-old-code findings weighed against the running version's queries. */
export function withQueryEvidence(result: LintResult, sources: ReadonlyMap<string, string>, set: QuerySet): LintResult {
  // no query is no evidence: a drop would otherwise read as unused
  if (set.queries.length === 0) return result;
  const usages = set.queries.map((q) => usageOf(q.node));
  const files: FileResult[] = result.files.map((file) => ({
    ...file,
    findings: file.findings.map((finding) => {
      if (finding.category !== 'breaks-old-code') return finding;
      const change = changeOf(finding, sources.get(file.path), file.path);
      return change ? weighed(finding, change, set.queries, usages) : finding;
    }),
  }));
  return { ...summarize(files), ...(result.baseline && { baseline: result.baseline }) };
}
