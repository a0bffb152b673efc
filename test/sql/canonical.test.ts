// One printed form for an expression read from a migration or printed by PostgreSQL from its catalog.
import { beforeAll, describe, expect, it } from 'vitest';
import { canonical } from '../../src/sql/canonical.js';
import { deparse } from '../../src/sql/rewrite.js';
import { loadParser, parseSource, type PgNode } from '../../src/sql/source.js';

beforeAll(loadParser);

/** The expression of `SELECT <sql>`, in its canonical form, printed. */
const printed = (sql: string): string =>
  deparse(
    canonical(
      (parseSource('t.sql', `SELECT ${sql}`).statements[0]!.node as PgNode).SelectStmt.targetList[0].ResTarget.val,
    ),
  );

describe('canonical', () => {
  it('names a sequence nextval reads with its schema, quoted, however it is written: PostgreSQL prints it bare on the search_path', () => {
    const qualified = `nextval(CAST('"public"."orders_id_seq"' AS regclass))`;
    expect(printed(`nextval('orders_id_seq'::regclass)`)).toBe(qualified);
    expect(printed(`nextval('"public"."orders_id_seq"'::regclass)`)).toBe(qualified);
    expect(printed(`nextval('Public.Orders_Id_Seq'::regclass)`)).toBe(qualified);
    expect(printed(`nextval('"Shop"."a""b.c"'::regclass)`)).toBe(`nextval(CAST('"Shop"."a""b.c"' AS regclass))`);
    // PostgreSQL folds ASCII letters only
    expect(printed(`nextval('ÄRTIKEL_id_seq'::regclass)`)).toBe(
      `nextval(CAST('"public"."Ärtikel_id_seq"' AS regclass))`,
    );
    // what is not one sequence's name is left as it is
    expect(printed(`nextval('a.b.c'::regclass)`)).toBe(`nextval(CAST('a.b.c' AS regclass))`);
    expect(printed(`nextval('orders_id_seq')`)).toBe(`nextval('orders_id_seq')`);
  });
});
