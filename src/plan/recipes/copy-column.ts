// Rename column and change column type share one mechanism (RECIPES.md): expand adds a
// copy of the column with every property that cannot break a writer and copies its
// indexes and constraints onto it; a trigger keeps the copy in step; backfill fills
// existing rows and validates; contract makes the copy exactly what the column was and
// drops the original.
import { createHash } from 'node:crypto';
import type { ConstraintSpec, TypeRef } from '../../sql/changes.js';
import { expr, typeSql } from '../../sql/normalize.js';
import { clipBytes, quoteIdent, quoteLiteral, quoteQualified } from '../../sql/names.js';
import { indexMentions, renameColumnIn } from '../../sql/rewrite.js';
import { constraintDisplay, varcharsOf, type ColumnModel, type TableModel } from '../../schema/model.js';
import { byName, isRefused, refuse, step, type RecipeContext, type Refused } from '../recipe.js';
import { canonical } from '../../sql/canonical.js';
import { defaultSql, derivedName } from '../sql.js';
import { emptyOutput, type RecipeOutput, type Step } from '../types.js';
import { constraintSql, validateStep } from '../constraint-sql.js';
import { concurrentIndexSql, createIndexSql, dropIndexSql } from '../index-sql.js';
import { notNullSteps } from '../not-null.js';

export interface CopySpec {
  table: TableModel;
  column: ColumnModel;
  /** The copy's name: the new name of a rename, a temporary name for a type change. */
  copy: string;
  type: TypeRef;
  /** The copy's value from the original, as SQL over column references to the original (`record` NEW in the trigger). */
  convert: (record?: string) => string;
  /** Rename: writes to the copy flow back into the original. Type change: the copy only follows. */
  bothWays: boolean;
  /** Type change: the copy takes the original's name in contract. */
  finalName?: string;
}

/** The name a copied index or constraint has while the original still exists. */
function copyName(original: string): string {
  return derivedName(original, 'pgphase');
}

/** The copy's name of an index or constraint, refused when another copy of this plan built it already: it covers two copied columns. */
function claimCopy(
  context: RecipeContext,
  table: TableModel,
  original: string,
  kind: 'index' | 'constraint',
): string | Refused {
  const copy = copyName(original);
  if (!context.claim(table.schema, copy)) {
    return refuse(
      `the ${kind} ${quoteIdent(original)} of ${quoteQualified(table)} covers two columns this migration renames or retypes; change one of them in a migration of its own`,
      'contract',
    );
  }
  return copy;
}

/** The sync function and its trigger, quoted. */
interface Sync {
  fn: string;
  trigger: string;
}

/**
 * The sync function and its trigger, named by a hash of the schema, table, column and copy: it
 * keeps them apart from every other copy's (table a_b column c and table a column b_c would both
 * make a_b_c) and from the user's own functions.
 */
function syncOf({ table, column, copy }: CopySpec): Sync {
  const hash = createHash('sha256')
    .update(JSON.stringify([table.schema, table.name, column.name, copy]))
    .digest('hex')
    .slice(0, 8);
  const tail = `_${hash}_pgphase_sync`;
  const name = `${clipBytes(`${table.name}_${column.name}`, 63 - Buffer.byteLength(tail))}${tail}`;
  return { fn: quoteQualified({ schema: table.schema, name }), trigger: quoteIdent(name) };
}

/** Does the parse tree call a function of this name (e.g. nextval)? */
function callsFunction(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => callsFunction(n, name));
  if (!node || typeof node !== 'object') return false;
  const funcname = (node as { FuncCall?: { funcname?: Array<{ String?: { sval: string } }> } }).FuncCall?.funcname;
  if (funcname?.[funcname.length - 1]?.String?.sval === name) return true;
  return Object.values(node).some((v) => callsFunction(v, name));
}

/**
 * Gives the sequence `column` owns (a serial column's), if it owns one, to `copy`: dropping `column` would drop
 * it, and fail on the copy's default, which draws from it. A DO block, as PostgreSQL knows the owner, not
 * always the schema model (a live catalog's `--database-url`).
 */
function ownedSequenceSql(table: TableModel, column: string, copy: string): string {
  const t = quoteLiteral(quoteQualified(table));
  return `DO $pgphase$
DECLARE
  owned text := pg_get_serial_sequence(${t}, ${quoteLiteral(column)});
BEGIN
  IF owned IS NOT NULL THEN
    EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', owned, ${t}, ${quoteLiteral(copy)});
  END IF;
END
$pgphase$`;
}

/** Types without an equality operator: their values are compared as text. */
const NO_EQUALITY = new Set(['json', 'xml', 'point', 'path', 'polygon']);

/** `x IS DISTINCT FROM y` for values of `type`, which may have no equality operator (json). */
function distinct(x: string, y: string, type: TypeRef, not = false): string {
  const [l, r] = NO_EQUALITY.has(type.name) ? [`(${x})::text`, `(${y})::text`] : [x, y];
  return `${l} IS ${not ? 'NOT ' : ''}DISTINCT FROM ${r}`;
}

/**
 * The key the backfill walks the table's rows by, or the refusal that holds for any copy of the
 * column, before anything is planned.
 */
function backfillKey({ table, column: a }: CopySpec, context: RecipeContext): string[] | Refused {
  const [t, qa] = [quoteQualified(table), quoteIdent(a.name)];
  if (a.generated || a.identity)
    return refuse(
      `${qa} is a generated or identity column: two copies cannot be kept in step by a trigger`,
      'contract',
    );
  // contract drops the key such a foreign key depends on, with the original
  const primary = [...table.constraints.values()].find((c) => c.kind === 'primary-key')?.columns ?? [];
  const inbound = context.schema
    .foreignKeysTo(table)
    .filter(({ key }) => (key.references!.columns.length > 0 ? key.references!.columns : primary).includes(a.name))
    .map(({ table: on, key }) => constraintDisplay(on, key.name))
    .sort();
  if (inbound.length > 0) {
    return refuse(
      `${qa} of ${t} is referenced by ${inbound.join(', ')}, which depend on the key contract drops with ${qa}; drop those foreign keys in an earlier migration and add them again after this one (NOT VALID, then VALIDATE CONSTRAINT), or plan with --allow-unsafe to run the change as written`,
      'contract',
    );
  }
  // which columns a view uses is not modelled, only which tables it reads
  const views = context.schema.viewsReading(table).map(quoteQualified);
  if (views.length > 0) {
    return refuse(
      `contract drops ${qa} of ${t}, which fails while a view uses it, and ${t} is read by ${views.join(', ')}; drop the views that use ${qa} in an earlier migration and create them again after this one, or plan with --allow-unsafe to run the change as written`,
      'contract',
    );
  }
  // a key that holds the column still finds the rows: the backfill reads the original, which keeps its values
  // until contract swaps in the key's copy
  const key = context.schema.rowKey(table);
  if (!key) return refuse(`${t} has no primary key or unique NOT NULL key to backfill by`, 'backfill');
  return key;
}

/** What expand builds: the copy, and copies of the column's indexes and constraints. */
interface Expanded {
  steps: Step[];
  /** The copied constraints, validated in the backfill. */
  validations: Array<{ name: string; spec: ConstraintSpec }>;
  /** The SQL that gives the copied indexes and constraints their originals' names in contract. */
  renames: string[];
  /** The SQL that makes each copied key (primary or unique) a constraint again, on the index expand built for it:
   *  in contract's swap, once the original and its key are gone. */
  keys: string[];
  /** A copied key is the primary key: the copy must be NOT NULL before it takes it. */
  primary: boolean;
}

/**
 * Expand: the copy, nullable and without default (so a non-NULL copy on INSERT was written by
 * the new version), with the column's comment, indexes and constraints (NOT VALID).
 */
function expandPhase(spec: CopySpec, context: RecipeContext): Expanded | Refused {
  const { table, column: a } = spec;
  const t = quoteQualified(table);
  const qb = quoteIdent(spec.copy);
  const collate = a.collation ? ` COLLATE ${quoteIdent(a.collation)}` : '';
  const out: Expanded = { steps: [], validations: [], renames: [], keys: [], primary: false };
  out.steps.push(
    step(
      context,
      'expand',
      `add-${spec.copy}`,
      `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${qb} ${typeSql(spec.type)}${collate}`,
      {
        down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${qb}`,
        lockMode: 'ACCESS EXCLUSIVE',
      },
    ),
  );
  if (a.comment !== undefined) {
    out.steps.push(
      step(context, 'expand', `comment-${spec.copy}`, `COMMENT ON COLUMN ${t}.${qb} IS ${quoteLiteral(a.comment)}`, {
        down: `COMMENT ON COLUMN ${t}.${qb} IS NULL`,
      }),
    );
  }
  const varchars = varcharsOf(table);
  for (const index of byName(context.schema.tableIndexes(table))) {
    if (!index.definition || !indexMentions(index.definition, a.name)) continue;
    // expression and partial indexes name the column inside expressions: rewritten on the parse tree
    const copy = claimCopy(context, table, index.name, 'index');
    if (isRefused(copy)) return copy;
    const definition = renameColumnIn(canonical(index.definition, varchars), a.name, spec.copy);
    out.steps.push(
      step(context, 'expand', `index-${copy}`, createIndexSql(copy, table, { unique: index.unique, ...definition }), {
        down: dropIndexSql(table.schema, copy),
        lockMode: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
      }),
    );
    out.renames.push(
      `ALTER INDEX ${quoteQualified({ schema: table.schema, name: copy })} RENAME TO ${quoteIdent(index.name)}`,
    );
  }
  for (const c of byName(table.constraints.values())) {
    if (!c.columns.includes(a.name)) continue;
    // a key: its index built on the copy, attached in contract; not one NULLS NOT DISTINCT (its index, built while
    // the copy is NULL in every existing row, would refuse them), nor one whose index options the model does not keep
    if ((c.kind === 'primary-key' || c.kind === 'unique') && !c.indexOptions && !c.nullsNotDistinct) {
      const copy = claimCopy(context, table, c.name, 'index');
      if (isRefused(copy)) return copy;
      const elements = (columns: string[]) => columns.map((name) => ({ IndexElem: { name } }));
      const index = {
        unique: true,
        accessMethod: 'btree',
        indexParams: elements(c.columns.map((x) => (x === a.name ? spec.copy : x))),
        ...(c.including !== undefined && { indexIncludingParams: elements(c.including) }),
      };
      out.steps.push(
        step(context, 'expand', `index-${copy}`, concurrentIndexSql(copy, table, index), {
          down: dropIndexSql(table.schema, copy),
          lockMode: 'SHARE UPDATE EXCLUSIVE',
          transactional: false,
        }),
      );
      const deferrable = c.deferrable ? ` DEFERRABLE${c.initiallyDeferred ? ' INITIALLY DEFERRED' : ''}` : '';
      out.keys.push(
        `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.kind === 'unique' ? 'UNIQUE' : 'PRIMARY KEY'} USING INDEX ${quoteIdent(copy)}${deferrable}`,
      );
      if (c.kind === 'primary-key') out.primary = true;
      continue;
    }
    if (c.kind !== 'check' && c.kind !== 'foreign-key') {
      return refuse(
        `${quoteIdent(a.name)} is part of the ${c.kind} ${quoteIdent(c.name)}${c.indexOptions ? ', whose index has storage parameters or a tablespace' : c.nullsNotDistinct ? ', NULLS NOT DISTINCT' : ''}; copying it is not planned yet`,
        'contract',
      );
    }
    const copy = claimCopy(context, table, c.name, 'constraint');
    if (isRefused(copy)) return copy;
    const moved: ConstraintSpec =
      c.kind === 'check'
        ? { ...c, expr: expr(renameColumnIn(canonical(c.expr!.node, varchars), a.name, spec.copy)) }
        : { ...c, columns: c.columns.map((x) => (x === a.name ? spec.copy : x)) };
    out.steps.push(
      step(
        context,
        'expand',
        `constraint-${copy}`,
        `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(copy)} ${constraintSql(moved)}`,
        {
          down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(copy)}`,
          lockMode: c.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
        },
      ),
    );
    if (c.validated) out.validations.push({ name: copy, spec: moved });
    out.renames.push(`ALTER TABLE ${t} RENAME CONSTRAINT ${quoteIdent(copy)} TO ${quoteIdent(c.name)}`);
  }
  return out;
}

/** Trigger: keeps the copy in step whichever version writes. */
function triggerPhase(spec: CopySpec, context: RecipeContext, { fn, trigger }: Sync): Step[] {
  const { column: a } = spec;
  const t = quoteQualified(spec.table);
  const [qa, qb] = [quoteIdent(a.name), quoteIdent(spec.copy)];
  const body = spec.bothWays
    ? `  IF TG_OP = 'INSERT' THEN
    -- ${qb} has no default: a non-NULL ${qb} was written by the new version
    IF NEW.${qb} IS NULL THEN NEW.${qb} := ${spec.convert('new')}; ELSE NEW.${qa} := NEW.${qb}; END IF;
  ELSIF ${distinct(`NEW.${qa}`, `OLD.${qa}`, a.type)} AND ${distinct(`NEW.${qb}`, `OLD.${qb}`, spec.type, true)} THEN
    NEW.${qb} := ${spec.convert('new')};
  ELSIF ${distinct(`NEW.${qb}`, `OLD.${qb}`, spec.type)} AND ${distinct(`NEW.${qa}`, `OLD.${qa}`, a.type, true)} THEN
    NEW.${qa} := NEW.${qb};
  END IF;`
    : `  -- both versions write ${qa}; the copy follows it
  NEW.${qb} := ${spec.convert('new')};`;
  return [
    // not OR REPLACE: a function of that name that is not this plan's stops the phase instead
    step(
      context,
      'trigger',
      'sync-function',
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $pgphase$\nBEGIN\n${body}\n  RETURN NEW;\nEND\n$pgphase$`,
      {
        down: `DROP FUNCTION IF EXISTS ${fn}()`,
      },
    ),
    // only rows whose copy is out of step call the function: the backfill's own writes, which
    // make it so, and writes of neither column cost no PL/pgSQL call
    step(
      context,
      'trigger',
      'sync-trigger',
      `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW WHEN (${distinct(`NEW.${qb}`, spec.convert('new'), spec.type)}) EXECUTE FUNCTION ${fn}()`,
      {
        down: `DROP TRIGGER IF EXISTS ${trigger} ON ${t}`,
        lockMode: 'SHARE ROW EXCLUSIVE',
      },
    ),
  ];
}

/** Backfill: existing rows, then the copied constraints' validation; the check that no row is left out of step. */
function backfillPhase(
  spec: CopySpec,
  context: RecipeContext,
  key: string[],
  validations: Expanded['validations'],
): Pick<RecipeOutput, 'steps' | 'backfills' | 'checks'> {
  const { table } = spec;
  const t = quoteQualified(table);
  const qb = quoteIdent(spec.copy);
  const value = spec.convert();
  return {
    backfills: [
      {
        table: { schema: table.schema, name: table.name },
        key,
        set: `${qb} = ${value}`,
        where: distinct(qb, value, spec.type),
        reversible: true,
      },
    ],
    steps: validations.map((v) => validateStep(context, t, v.name, v.spec)),
    checks: [`SELECT 1 FROM ${t} WHERE ${distinct(qb, value, spec.type)} LIMIT 1`],
  };
}

/**
 * Contract: only the new version runs. The trigger and the original go in one transaction (with
 * the copy's rename for a type change): in between, the new version's writes would miss the
 * original's NOT NULL or the column's name. The copy gets the column's default and NOT NULL, the
 * copied indexes and constraints their names.
 */
function contractPhase(spec: CopySpec, context: RecipeContext, { fn, trigger }: Sync, expanded: Expanded): Step[] {
  const { table, column: a } = spec;
  const t = quoteQualified(table);
  const [qa, qb] = [quoteIdent(a.name), quoteIdent(spec.copy)];
  const steps: Step[] = [];
  if (a.default)
    steps.push(
      step(
        context,
        'contract',
        `default-${spec.copy}`,
        `ALTER TABLE ${t} ALTER COLUMN ${qb} SET DEFAULT ${defaultSql(a.default.node, spec.type)}`,
        { lockMode: 'ACCESS EXCLUSIVE' },
      ),
    );
  const [check, validate, setNotNull] = a.notNull
    ? notNullSteps(context, table, spec.copy, spec.finalName ?? spec.copy)
    : [];
  if (check && validate) steps.push(check, validate);
  const swap = [`DROP TRIGGER IF EXISTS ${trigger} ON ${t}`];
  // the sequence a serial original owns would go with it: the copy, which draws from it now, owns it instead
  if (a.default && callsFunction(a.default.node, 'nextval')) swap.push(ownedSequenceSql(table, a.name, spec.copy));
  swap.push(`ALTER TABLE ${t} DROP COLUMN ${qa}`);
  if (spec.finalName !== undefined) swap.push(`ALTER TABLE ${t} RENAME COLUMN ${qb} TO ${quoteIdent(spec.finalName)}`);
  // the copied keys in the same transaction as the original's drop: no moment without them; a primary key's column
  // NOT NULL first (the validated check spares the scan)
  if (expanded.primary && setNotNull) swap.push(setNotNull.sql);
  swap.push(...expanded.keys);
  const swapStep = step(context, 'contract', `swap-${a.name}`, swap.join(';\n'), { lockMode: 'ACCESS EXCLUSIVE' });
  context.carry('columns', table, swapStep);
  steps.push(swapStep);
  if (spec.finalName !== undefined) context.replacesColumn(table, spec.finalName);
  if (setNotNull && !expanded.primary) steps.push(setNotNull);
  steps.push(step(context, 'contract', 'drop-sync-function', `DROP FUNCTION IF EXISTS ${fn}()`));
  for (const [i, sql] of expanded.renames.entries())
    steps.push(step(context, 'contract', `rename-copy-${i}`, sql, { lockMode: 'ACCESS EXCLUSIVE' }));
  return steps;
}

export function copyColumn(spec: CopySpec, context: RecipeContext): RecipeOutput | Refused {
  const key = backfillKey(spec, context);
  if (isRefused(key)) return key;
  const expanded = expandPhase(spec, context);
  if (isRefused(expanded)) return expanded;
  const sync = syncOf(spec);
  const triggered = triggerPhase(spec, context, sync);
  const filled = backfillPhase(spec, context, key, expanded.validations);
  const contracted = contractPhase(spec, context, sync, expanded);
  return {
    ...emptyOutput(),
    steps: [...expanded.steps, ...triggered, ...filled.steps, ...contracted],
    backfills: filled.backfills,
    checks: filled.checks,
  };
}
