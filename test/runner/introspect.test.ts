import { describe, expect, it } from 'vitest';
import { catalogDdl, readLiveSchema } from '../../src/runner/introspect.js';
import { redact } from '../../src/runner/connect.js';
import { schemaFrom } from '../../src/schema/model.js';
import { runCli, tempTree } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';

const db = await testDatabase();
const setup = await db.client();
// generated columns are PostgreSQL 12+
const generated = db.major >= 12;
await setup.query(`
  CREATE SCHEMA "Sales";
  CREATE TYPE "Sales".state AS ENUM ('new', 'paid');
  CREATE TABLE "Sales"."Order" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "e-mail" varchar(100) COLLATE "C" NOT NULL,
    state "Sales".state NOT NULL DEFAULT 'new',
    total numeric(12,2) DEFAULT 0 CHECK (total >= 0),
    ${generated ? 'doubled numeric GENERATED ALWAYS AS (total * 2) STORED,' : ''}
    note text
  );
  ALTER TABLE "Sales"."Order" ADD CONSTRAINT note_len CHECK (length(note) < 500) NOT VALID;
  CREATE TABLE "Sales".line (order_id bigint REFERENCES "Sales"."Order" (id) ON DELETE CASCADE, sku text);
  ALTER TABLE "Sales".line DROP COLUMN sku;
  ALTER TABLE "Sales".line ADD COLUMN sku text;
  CREATE UNIQUE INDEX line_sku ON "Sales".line (lower(sku)) WHERE sku IS NOT NULL;
  CREATE VIEW "Sales".open_orders AS SELECT * FROM "Sales"."Order" WHERE state = 'new';
  -- a view on a view that sorts before it, and a materialized view on it with an index: each after what it reads
  CREATE VIEW "Sales".big_open_orders AS SELECT * FROM "Sales".open_orders WHERE total > 100;
  CREATE MATERIALIZED VIEW "Sales".a_totals AS SELECT state, sum(total) AS total FROM "Sales".big_open_orders GROUP BY state;
  CREATE INDEX a_totals_state ON "Sales".a_totals (state);
  COMMENT ON COLUMN "Sales"."Order".note IS 'it''s free text';
  CREATE FUNCTION "Sales"."Touch"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'x'; RETURN NEW; END $$;
  CREATE TRIGGER touch BEFORE UPDATE ON "Sales"."Order" FOR EACH ROW EXECUTE FUNCTION "Sales"."Touch"();
  CREATE FUNCTION "Sales".total(o "Sales"."Order") RETURNS numeric LANGUAGE sql AS 'SELECT o.total';
  CREATE SEQUENCE "Sales"."invoice no" AS integer;
  CREATE TABLE "Sales".audit (id serial PRIMARY KEY, invoice int NOT NULL DEFAULT nextval('"Sales"."invoice no"'));`);

describe('reading the schema from a live database', () => {
  it('builds the same model a migration history would', async () => {
    const s = schemaFrom(await readLiveSchema(db.url));
    const order = s.table({ schema: 'Sales', name: 'Order' })!;
    expect([...order.columns.keys()]).toEqual([
      'id',
      'e-mail',
      'state',
      'total',
      ...(generated ? ['doubled'] : []),
      'note',
    ]);
    expect(order.columns.get('id')).toMatchObject({ identity: 'always', notNull: true, type: { name: 'int8' } });
    expect(order.columns.get('e-mail')).toMatchObject({
      collation: 'C',
      notNull: true,
      type: { display: 'varchar(100)' },
    });
    expect(order.columns.get('state')).toMatchObject({
      type: { schema: 'Sales', name: 'state' },
      default: { text: 'CAST(\'new\' AS "Sales".state)' },
    });
    if (generated) expect(order.columns.get('doubled')!.generated).toMatchObject({ kind: 'stored' });
    expect(order.constraints.get('note_len')).toMatchObject({ kind: 'check', validated: false });
    expect(order.columns.get('note')!.comment).toBe("it's free text");
    expect(order.constraints.get('Order_total_check')).toMatchObject({ kind: 'check', validated: true });
    const line = s.table({ schema: 'Sales', name: 'line' })!;
    expect([...line.columns.keys()]).toEqual(['order_id', 'sku']);
    expect(line.constraints.get('line_order_id_fkey')).toMatchObject({
      kind: 'foreign-key',
      references: { table: { schema: 'Sales', name: 'Order' }, onDelete: 'cascade' },
    });
    expect(s.tableIndexes({ schema: 'Sales', name: 'line' }).map((i) => [i.name, i.unique, i.partial])).toEqual([
      ['line_sku', true, true],
    ]);
    expect(s.enums.get('Sales\u0000state')).toEqual(['new', 'paid']);
    expect(s.views.has('Sales\u0000open_orders')).toBe(true);
    expect(s.views.get('Sales\u0000a_totals')).toMatchObject({
      materialized: true,
      reads: new Set(['Sales\u0000big_open_orders']),
    });
    expect(s.tableIndexes({ schema: 'Sales', name: 'a_totals' }).map((i) => i.name)).toEqual(['a_totals_state']);
    expect([...s.triggerFunctions]).toEqual(['Sales\u0000Touch']);
    expect(s.rowKey({ schema: 'Sales', name: 'Order' })).toEqual(['id']);
  });

  it('prints DDL that builds the schema again on an empty database, sequences of serial columns and defaults included', async () => {
    const empty = await testDatabase();
    const shadow = await empty.client();
    for (const statement of await catalogDdl(setup)) await shadow.query(statement);
    const { rows } = await shadow.query(`INSERT INTO "Sales".audit DEFAULT VALUES RETURNING id, invoice`);
    expect(rows).toEqual([{ id: 1, invoice: 1 }]);
    const order = await shadow.query(`INSERT INTO "Sales"."Order" ("e-mail") VALUES ('a@b') RETURNING id`);
    expect(order.rows).toEqual([{ id: '1' }]);
  });

  it('lets `lint --database-url` know the old column type', () => {
    const dir = tempTree({
      'm/1.sql': `SET lock_timeout = '1s';\nALTER TABLE "Sales"."Order" ALTER COLUMN "e-mail" TYPE varchar(50);`,
    });
    const r = runCli(['lint', 'm/1.sql', '--database-url', db.url, '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('from varchar(100) to varchar(50)');
  });

  it('fails with one line and exit 2 on an unreachable database, never printing the password', () => {
    const dir = tempTree({ 'm/1.sql': 'SELECT 1;' });
    const r = runCli(['lint', 'm', '--database-url', 'postgres://app:s3cret-pw@127.0.0.1:1/db'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot connect to postgres://app:***@127.0.0.1:1/db');
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('redacts passwords in URLs and parameters', () => {
    expect(redact('postgresql://u:p%40ss@h:5432/d?sslmode=require')).toBe(
      'postgresql://u:***@h:5432/d?sslmode=require',
    );
    expect(redact('postgres://h/d?user=u&password=secret&x=1')).toBe('postgres://h/d?user=u&password=***&x=1');
    expect(redact('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});
