// One printed form for an expression, whether it was read from a migration or printed by
// PostgreSQL from its catalog: plans made from either print the same SQL, and the schema
// model compares them as equal.
import { unquotedName } from './lexer.js';
import { DEFAULT_SCHEMA, quoteQualified } from './names.js';
import type { PgNode } from './source.js';

const LIKE: Record<string, string> = {
  '~~': 'AEXPR_LIKE',
  '!~~': 'AEXPR_LIKE',
  '~~*': 'AEXPR_ILIKE',
  '!~~*': 'AEXPR_ILIKE',
};
/** Types a string constant may be cast to without changing what it means where PostgreSQL prints the cast. */
const STRING_TYPES = new Set(['text', 'varchar', 'character varying', 'bpchar']);

function castToString(node: PgNode): boolean {
  const names = (node.TypeCast?.typeName?.names ?? []) as PgNode[];
  const name = names[names.length - 1]?.String?.sval;
  return (
    node.TypeCast?.arg?.A_Const?.sval !== undefined &&
    STRING_TYPES.has(name) &&
    !node.TypeCast.typeName.typmods &&
    !node.TypeCast.typeName.arrayBounds
  );
}

/** The schema and name a `regclass` text means (`orders_id_seq`, `"Shop".orders_id_seq`): dot-separated, each
 *  part as PostgreSQL reads an identifier (`unquotedName`); the schema public when none is given. */
function regclassName(text: string): { schema: string; name: string } | undefined {
  const parts = text.match(/"(?:[^"]|"")*"|[^."]+/g);
  if (!parts || parts.join('.') !== text || parts.length > 2) return undefined;
  const [schema, name] =
    parts.length === 1 ? [DEFAULT_SCHEMA, unquotedName(parts[0]!)] : parts.map((p) => unquotedName(p));
  return { schema: schema!, name: name! };
}

/**
 * `nextval('sequence'::regclass)` with the sequence's name schema-qualified and quoted: PostgreSQL
 * prints it without its schema when that is on the search_path (`'orders_id_seq'`), the schema
 * model as a serial column makes it (`'"public"."orders_id_seq"'`); undefined for anything else.
 */
export function qualifiedNextval(node: PgNode): PgNode | undefined {
  const call = node.FuncCall;
  const cast = call?.args?.length === 1 ? call.args[0].TypeCast : undefined;
  const text = cast?.arg?.A_Const?.sval?.sval;
  if (
    call?.funcname?.at(-1)?.String?.sval !== 'nextval' ||
    cast?.typeName?.names?.at(-1)?.String?.sval !== 'regclass' ||
    typeof text !== 'string'
  )
    return undefined;
  const sequence = regclassName(text);
  if (!sequence) return undefined;
  const arg = { ...cast.arg, A_Const: { ...cast.arg.A_Const, sval: { sval: quoteQualified(sequence) } } };
  return { FuncCall: { ...call, args: [{ TypeCast: { ...cast, arg } }] } };
}

/**
 * An expression of the schema model in one form, whether it was read from a migration or printed
 * by PostgreSQL from the catalog, which rewrites what it stores: `a LIKE 'x'` is printed
 * `a ~~ 'x'::text`, `a IN (1, 2)` `a = ANY (ARRAY[1, 2])`, `a BETWEEN 1 AND 2` `a >= 1 AND a <= 2`,
 * a column of `varchars` (the table's varchar columns) compared as text `(a)::text`, and a sequence
 * `nextval` reads named with or without its schema.
 * Each rewrite here is one the parser makes itself, so the meaning is unchanged; a plan made from
 * the history and one made from the live database print the same SQL.
 */
export function canonical<T>(node: T, varchars: ReadonlySet<string> = new Set()): T {
  const again = <U>(x: U): U => canonical(x, varchars);
  if (Array.isArray(node)) return node.map(again) as T;
  if (!node || typeof node !== 'object') return node;
  const n = node as PgNode;
  if (castToString(n)) return n.TypeCast.arg;
  const nextval = qualifiedNextval(n);
  if (nextval) return nextval as T;
  // a varchar column is compared as text: PostgreSQL prints the cast it adds, (code)::text
  const fields = n.TypeCast?.arg?.ColumnRef?.fields as PgNode[] | undefined;
  const to = n.TypeCast?.typeName?.names as PgNode[] | undefined;
  if (
    fields?.length === 1 &&
    varchars.has(fields[0]!.String?.sval) &&
    to?.[to.length - 1]?.String?.sval === 'text' &&
    !n.TypeCast.typeName.arrayBounds
  )
    return n.TypeCast.arg;
  const e = n.A_Expr as PgNode | undefined;
  const op = e?.name?.[0]?.String?.sval as string | undefined;
  if (e && e.kind === 'AEXPR_OP' && op && LIKE[op]) return again({ A_Expr: { ...e, kind: LIKE[op] } }) as T;
  if (
    e &&
    ((e.kind === 'AEXPR_OP_ANY' && op === '=') || (e.kind === 'AEXPR_OP_ALL' && op === '<>')) &&
    e.rexpr?.A_ArrayExpr
  ) {
    return again({
      A_Expr: {
        kind: 'AEXPR_IN',
        name: e.name,
        lexpr: e.lexpr,
        rexpr: { List: { items: e.rexpr.A_ArrayExpr.elements ?? [] } },
      },
    }) as T;
  }
  if (e && (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN')) {
    const [low, high] = e.rexpr.List.items as PgNode[];
    const between = e.kind === 'AEXPR_BETWEEN';
    const compare = (name: string, right: PgNode) => ({
      A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: name } }], lexpr: e.lexpr, rexpr: right },
    });
    const args = between ? [compare('>=', low!), compare('<=', high!)] : [compare('<', low!), compare('>', high!)];
    return again({ BoolExpr: { boolop: between ? 'AND_EXPR' : 'OR_EXPR', args } }) as T;
  }
  const out: PgNode = {};
  for (const [key, value] of Object.entries(n)) out[key] = again(value);
  return out as T;
}
