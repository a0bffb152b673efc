// Create index → expand, CONCURRENTLY; drop index → contract, CONCURRENTLY.
import type { ChangeOf } from '../../sql/changes.js';
import { DEFAULT_SCHEMA, defaultName, quoteIdent, quoteQualified } from '../../sql/names.js';
import { deparse } from '../../sql/rewrite.js';
import type { IndexModel } from '../../schema/model.js';
import { step, type RecipeContext } from '../recipe.js';
import { emptyOutput, type RecipeOutput } from '../types.js';

/** `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS` from a definition; user expressions are deparsed from the parse tree. */
export function createIndexSql(name: string, table: { schema?: string; name: string }, index: Pick<IndexModel, 'unique'> & NonNullable<IndexModel['definition']>): string {
  const where = index.where ? ` WHERE ${deparse(index.where.node)}` : '';
  const elements = index.elements.map((e) => deparse(e)).join(', ');
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${quoteQualified(table)} USING ${index.method} (${elements})${where}`;
}

export function dropIndexSql(schema: string, name: string): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified({ schema, name })}`;
}

export function createIndex(change: ChangeOf<'create-index'>, context: RecipeContext): RecipeOutput | undefined {
  if (change.concurrently || context.isNewTable(change.index.table)) return undefined;
  const spec = change.index;
  const name = spec.name ?? defaultName(spec.table.name, spec.columns.map((c) => c ?? 'expr'), 'idx');
  const schema = spec.table.schema ?? DEFAULT_SCHEMA;
  const out = emptyOutput();
  const definition = spec.where ? { method: spec.method, elements: spec.elements, where: spec.where } : { method: spec.method, elements: spec.elements };
  out.steps.push(
    step(context, 'expand', `create-index-${name}`, createIndexSql(name, spec.table, { unique: spec.unique, ...definition }), {
      down: dropIndexSql(schema, name),
      lockMode: 'SHARE UPDATE EXCLUSIVE',
      transactional: false,
    }),
  );
  return out;
}

export function dropIndex(change: ChangeOf<'drop-index'>, context: RecipeContext): RecipeOutput | undefined {
  const table = context.schema.indexTable(change.index);
  if (change.concurrently || (table && context.isNewTable(table))) return undefined;
  const out = emptyOutput();
  const schema = change.index.schema ?? DEFAULT_SCHEMA;
  out.steps.push(step(context, 'contract', `drop-index-${change.index.name}`, dropIndexSql(schema, change.index.name), { lockMode: 'SHARE UPDATE EXCLUSIVE', transactional: false }));
  return out;
}
