// Printing parse trees back as SQL (deparse): the text must parse to the same tree, names included.
import { beforeAll, describe, expect, it } from 'vitest';
import { deparse } from '../../src/sql/rewrite.js';
import { loadParser, parseSource, type PgNode } from '../../src/sql/source.js';

beforeAll(loadParser);

/** A statement's parse tree without the positions, which the printed text moves. */
function tree(sql: string): unknown {
  const parsed = parseSource('t.sql', sql);
  expect(parsed.syntaxError?.message, sql).toBeUndefined();
  return JSON.parse(JSON.stringify(parsed.statements[0]!.node), (key, value) =>
    key === 'location' ? undefined : value,
  );
}

describe('deparse', () => {
  it('prints the names the deparser would leave bare quoted, so that they parse back as written', () => {
    for (const sql of [
      // a CTE, a window and a JOIN … USING alias in mixed case, or a reserved word
      'WITH "Ranked" AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM item) UPDATE item SET pos = "Ranked".rn FROM "Ranked" WHERE item.id = "Ranked".id',
      'WITH "select" AS (SELECT 1 AS x) SELECT x FROM "select"',
      'SELECT sum(x) OVER "W" FROM t WINDOW "W" AS (ORDER BY x)',
      'SELECT * FROM t JOIN u USING (id) AS "J" WHERE "J".id > 0',
      // what it quoted already stays as it is
      'WITH ranked AS (SELECT 1 AS x) SELECT "T".x FROM ranked AS "T"',
    ]) {
      const node = parseSource('t.sql', sql).statements[0]!.node as PgNode;
      expect(tree(deparse(node)), sql).toEqual(tree(sql));
    }
  });
});
