// Rename column t.a → t.b while both application versions run (RECIPES.md):
// expand adds b with every property of a that cannot break a writer, copies a's indexes
// and constraints onto b; the trigger keeps a and b equal in both directions; backfill
// copies existing rows and validates; contract makes b exactly what a was and drops a.
import type { ChangeOf, ConstraintSpec } from '../../sql/changes.js';
import { quoteIdent } from '../../sql/names.js';
import { expr } from '../../sql/normalize.js';
import { mentionsColumn, renameColumnIn } from '../../sql/rewrite.js';
import { knownTable, step, tableSql, UnsafeChange, type RecipeContext } from '../recipe.js';
import { derivedName, typeSql } from '../sql.js';
import { emptyOutput, type RecipeOutput } from '../types.js';
import { constraintSql, validateStep } from './constraints.js';
import { createIndexSql, dropIndexSql } from './indexes.js';
import { notNullSteps } from './not-null.js';

/** The name a copied index or constraint gets while the original still exists. */
function copyName(original: string): string {
  return derivedName(original, 'pgphase');
}

export function renameColumn(change: ChangeOf<'rename-column'>, context: RecipeContext): RecipeOutput | undefined {
  if (context.isNewTable(change.table)) return undefined;
  const table = knownTable(context, change.table);
  const a = table.columns.get(change.column);
  if (!a) throw new UnsafeChange(`column ${quoteIdent(change.column)} of ${tableSql(table)} is not in the starting schema`, 'expand');
  if (a.generated || a.identity) throw new UnsafeChange(`${quoteIdent(change.column)} is a generated or identity column: two copies cannot be kept in sync by a trigger`, 'contract');
  const t = tableSql(table);
  const [qa, qb] = [quoteIdent(change.column), quoteIdent(change.newName)];
  const out = emptyOutput();
  const collate = a.collation ? ` COLLATE ${quoteIdent(a.collation)}` : '';

  // expand: b nullable and without default, so a non-NULL b on INSERT was written by V+1
  out.steps.push(
    step(context, 'expand', `add-${change.newName}`, `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${qb} ${typeSql(a.type)}${collate}`, {
      down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${qb}`,
      lockMode: 'ACCESS EXCLUSIVE',
    }),
  );
  const renames: string[] = [];
  for (const index of context.schema.tableIndexes(table)) {
    if (!index.definition || !mentionsColumn(index.definition, change.column)) continue;
    // expression and partial indexes name a inside expressions: rewritten on the parse tree
    const copy = copyName(index.name);
    const definition = renameColumnIn(index.definition, change.column, change.newName);
    out.steps.push(
      step(context, 'expand', `index-${copy}`, createIndexSql(copy, table, { unique: index.unique, ...definition }), {
        down: dropIndexSql(table.schema, copy),
        lockMode: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
      }),
    );
    renames.push(`ALTER INDEX ${quoteIdent(table.schema)}.${quoteIdent(copy)} RENAME TO ${quoteIdent(index.name)}`);
  }
  const validations: Array<{ name: string; spec: ConstraintSpec }> = [];
  for (const c of table.constraints.values()) {
    if (!c.columns.includes(change.column)) continue;
    if (c.kind === 'check' || c.kind === 'foreign-key') {
      const copy = copyName(c.name);
      const moved = c.kind === 'check' ? { ...c, expr: expr(renameColumnIn(c.expr!.node, change.column, change.newName)) } : { ...c, columns: c.columns.map((x) => (x === change.column ? change.newName : x)) };
      out.steps.push(
        step(context, 'expand', `constraint-${copy}`, `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(copy)} ${constraintSql(moved)}`, {
          down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoteIdent(copy)}`,
          lockMode: c.kind === 'check' ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE',
        }),
      );
      if (c.validated) validations.push({ name: copy, spec: moved });
      renames.push(`ALTER TABLE ${t} RENAME CONSTRAINT ${quoteIdent(copy)} TO ${quoteIdent(c.name)}`);
    } else {
      throw new UnsafeChange(`${quoteIdent(change.column)} is part of the ${c.kind} ${quoteIdent(c.name)}; renaming a key column is not planned yet`, 'contract');
    }
  }

  // trigger: keep a and b equal whichever version writes
  const fn = `${quoteIdent(table.schema)}.${quoteIdent(derivedName(`${table.name}_${change.column}`, 'sync'))}`;
  const trigger = quoteIdent(derivedName(`${change.column}_${change.newName}`, 'pgphase_sync'));
  out.steps.push(
    step(
      context,
      'trigger',
      'sync-function',
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $pgphase$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- ${qb} has no default: a non-NULL ${qb} was written by the new version
    IF NEW.${qb} IS NULL THEN NEW.${qb} := NEW.${qa}; ELSE NEW.${qa} := NEW.${qb}; END IF;
  ELSIF NEW.${qa} IS DISTINCT FROM OLD.${qa} AND NEW.${qb} IS NOT DISTINCT FROM OLD.${qb} THEN
    NEW.${qb} := NEW.${qa};
  ELSIF NEW.${qb} IS DISTINCT FROM OLD.${qb} AND NEW.${qa} IS NOT DISTINCT FROM OLD.${qa} THEN
    NEW.${qa} := NEW.${qb};
  END IF;
  RETURN NEW;
END
$pgphase$`,
      { down: `DROP FUNCTION IF EXISTS ${fn}()` },
    ),
    step(context, 'trigger', 'sync-trigger', `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}()`, {
      down: `DROP TRIGGER IF EXISTS ${trigger} ON ${t}`,
      lockMode: 'SHARE ROW EXCLUSIVE',
    }),
  );

  // backfill: existing rows, then the copied constraints' validation
  const key = context.schema.rowKey(table);
  if (!key) throw new UnsafeChange(`${tableSql(table)} has no primary key or unique NOT NULL key to backfill by`, 'backfill');
  out.backfills.push({ table: { schema: table.schema, name: table.name }, key, set: `${qb} = ${qa}`, where: `${qb} IS DISTINCT FROM ${qa}`, reversible: true });
  for (const v of validations) out.steps.push(validateStep(context, t, v.name, v.spec));
  out.checks.push(`SELECT 1 FROM ${t} WHERE ${qb} IS DISTINCT FROM ${qa} LIMIT 1`);

  // contract: only the new version runs
  out.steps.push(
    step(context, 'contract', 'drop-sync', `DROP TRIGGER IF EXISTS ${trigger} ON ${t}`, { lockMode: 'ACCESS EXCLUSIVE' }),
    step(context, 'contract', 'drop-sync-function', `DROP FUNCTION IF EXISTS ${fn}()`),
  );
  if (a.notNull) out.steps.push(...notNullSteps(context, table, change.newName));
  if (a.default) out.steps.push(step(context, 'contract', `default-${change.newName}`, `ALTER TABLE ${t} ALTER COLUMN ${qb} SET DEFAULT ${a.default.text}`, { lockMode: 'ACCESS EXCLUSIVE' }));
  out.steps.push(step(context, 'contract', `drop-${change.column}`, `ALTER TABLE ${t} DROP COLUMN ${qa}`, { lockMode: 'ACCESS EXCLUSIVE' }));
  renames.forEach((sql, i) => out.steps.push(step(context, 'contract', `rename-copy-${i}`, sql, { lockMode: 'ACCESS EXCLUSIVE' })));

  out.requires.backfill = `the new version, which reads and writes ${qb}`;
  out.requires.contract = `no instance of the old version (which uses ${qa}) is running`;
  return out;
}
