import { describe, expect, it } from 'vitest';
import { replay, schemaFrom, SchemaModel } from '../../src/schema/model.js';
import { readSchemaDump } from '../../src/schema/dump.js';
import { loadParser, parseSource } from '../../src/sql/source.js';
import { qkey } from '../../src/sql/names.js';

await loadParser();

function model(sql: string): SchemaModel {
  const schema = new SchemaModel();
  replay(parseSource('h.sql', sql), schema);
  return schema;
}

/** A model that each step of a history changes, and the foreign keys it answers for a table. */
function foreignKeyHistory() {
  const s = new SchemaModel();
  return {
    step: (sql: string) => replay(parseSource('h.sql', sql), s),
    keys: (table: string) =>
      s
        .foreignKeys({ name: table })
        .map((fk) => `${fk.table.name}.${fk.name}(${fk.columns})->${fk.references.table.name}`),
  };
}

describe('SchemaModel', () => {
  it('drops with a unique index dropped CASCADE the foreign keys on it; keeps a plain index DROP CONSTRAINT IF EXISTS names', () => {
    const h = foreignKeyHistory();
    h.step(`CREATE TABLE clients (pk int PRIMARY KEY, id text NOT NULL);
      CREATE UNIQUE INDEX clients_id_uq ON clients (id);
      CREATE TABLE tokens (id int PRIMARY KEY, client_id text REFERENCES clients (id), owner int REFERENCES clients (pk));`);
    expect(h.keys('tokens')).toEqual([
      'tokens.tokens_client_id_fkey(client_id)->clients',
      'tokens.tokens_owner_fkey(owner)->clients',
    ]);
    h.step('DROP INDEX clients_id_uq CASCADE;');
    expect(h.keys('tokens')).toEqual(['tokens.tokens_owner_fkey(owner)->clients']);
    const s = model(`CREATE TABLE devices (id int PRIMARY KEY, username text NOT NULL);
      CREATE UNIQUE INDEX devices_username_key ON devices (username);
      ALTER TABLE devices DROP CONSTRAINT IF EXISTS devices_username_key;`);
    expect(s.indexes.has(qkey({ name: 'devices_username_key' }))).toBe(true);
  });

  it('replays tables, columns, keys, indexes and constraints', () => {
    const s = model(`
      CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL COLLATE "C", name text DEFAULT 'x');
      ALTER TABLE users ADD COLUMN age int, ADD CONSTRAINT age_ok CHECK (age > 0) NOT VALID;
      CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);
      ALTER TABLE users RENAME COLUMN name TO full_name;
      ALTER TABLE users ALTER COLUMN id TYPE bigint;
      ALTER TABLE users ALTER COLUMN full_name DROP DEFAULT, ALTER COLUMN age SET NOT NULL;`);
    const users = s.table({ name: 'users' })!;
    expect([...users.columns.keys()]).toEqual(['id', 'email', 'age', 'full_name']);
    expect(users.columns.get('id')).toMatchObject({ type: { name: 'int8' }, notNull: true });
    expect(users.columns.get('email')).toMatchObject({ collation: 'C', notNull: true });
    expect(users.columns.get('full_name')!.default).toBeUndefined();
    expect(users.columns.get('age')!.notNull).toBe(true);
    expect(users.constraints.get('age_ok')).toMatchObject({ kind: 'check', validated: false });
    expect(users.constraints.get('users_pkey')).toMatchObject({ kind: 'primary-key', columns: ['id'] });
    expect(
      s
        .tableIndexes({ name: 'users' })
        .map((i) => i.name)
        .sort(),
    ).toEqual(['users_email', 'users_pkey']);
    expect(s.rowKey({ name: 'users' })).toEqual(['id']);
  });

  it('answers the foreign keys of a table as each change of a history leaves them', () => {
    // the model keeps them indexed by table between changes: each step below asks, then changes them
    const { keys, step } = foreignKeyHistory();
    step('CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);');
    expect([keys('a'), keys('b')]).toEqual([['b.b_a_id_fkey(a_id)->a'], ['b.b_a_id_fkey(a_id)->a']]);
    step('UPDATE b SET a_id = 1; ALTER TABLE b RENAME COLUMN a_id TO owner;');
    expect(keys('a')).toEqual(['b.b_a_id_fkey(owner)->a']);
    step('ALTER TABLE b RENAME TO c;');
    expect([keys('b'), keys('c')]).toEqual([[], ['c.b_a_id_fkey(owner)->a']]);
    step('ALTER TABLE c ADD CONSTRAINT self FOREIGN KEY (id) REFERENCES c;');
    expect(keys('c')).toEqual(['c.b_a_id_fkey(owner)->a', 'c.self(id)->c']);
    step('ALTER TABLE c DROP CONSTRAINT b_a_id_fkey;');
    expect([keys('a'), keys('c')]).toEqual([[], ['c.self(id)->c']]);
    step('ALTER TABLE c ADD COLUMN a2 int REFERENCES a; DROP TABLE c;');
    expect(keys('a')).toEqual([]);
    step('CREATE TABLE c (id int PRIMARY KEY, a_id int CONSTRAINT to_a REFERENCES a);');
    expect(keys('a')).toEqual(['c.to_a(a_id)->a']);
    step('ALTER TABLE c RENAME CONSTRAINT to_a TO owner_fk; ALTER TABLE c ALTER COLUMN a_id TYPE bigint;');
    expect(keys('a')).toEqual(['c.owner_fk(a_id)->a']);
    step('ALTER TABLE c DROP COLUMN a_id;');
    expect([keys('a'), keys('c')]).toEqual([[], []]);
  });

  it('answers the foreign keys of a table renamed onto the name of the table it references', () => {
    // the index of foreign keys moves a renamed table's keys: a key joining the two tables is listed once
    const { keys, step } = foreignKeyHistory();
    step('CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);');
    step('ALTER TABLE b RENAME TO a;');
    expect([keys('a'), keys('b')]).toEqual([['a.b_a_id_fkey(a_id)->a'], []]);
    step('CREATE TABLE c (id int PRIMARY KEY, a_id int REFERENCES a); ALTER TABLE c RENAME TO a;');
    expect([keys('a'), keys('c')]).toEqual([['a.c_a_id_fkey(a_id)->a'], []]);
  });

  it('answers foreign keys in one order, whether the index was built before or after they were added', () => {
    const history = (lookEarly: boolean) => {
      const s = new SchemaModel();
      replay(
        parseSource(
          'h.sql',
          'CREATE TABLE x (id int PRIMARY KEY); CREATE TABLE a (x_id int); CREATE TABLE b (x_id int REFERENCES x);',
        ),
        s,
      );
      if (lookEarly) s.foreignKeys({ name: 'x' });
      replay(parseSource('h.sql', 'ALTER TABLE a ADD FOREIGN KEY (x_id) REFERENCES x;'), s);
      return s.foreignKeys({ name: 'x' }).map((fk) => `${fk.table.name}.${fk.name}`);
    };
    expect(history(true)).toEqual(['a.a_x_id_fkey', 'b.b_x_id_fkey']);
    expect(history(false)).toEqual(history(true));
  });

  it('follows validation, drops and renames', () => {
    const s = model(`
      CREATE TABLE a (id int NOT NULL, x int);
      CREATE UNIQUE INDEX a_id ON a (id);
      ALTER TABLE a ADD CONSTRAINT x_pos CHECK (x > 0) NOT VALID;
      ALTER TABLE a VALIDATE CONSTRAINT x_pos;
      ALTER TABLE a RENAME TO b;
      ALTER TABLE b DROP COLUMN x;
      CREATE TYPE mood AS ENUM ('sad');
      ALTER TYPE mood ADD VALUE 'happy';
      ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';`);
    expect(s.table({ name: 'a' })).toBeUndefined();
    const b = s.table({ name: 'b' })!;
    expect([...b.columns.keys()]).toEqual(['id']);
    expect(b.constraints.has('x_pos')).toBe(false);
    expect(s.rowKey({ name: 'b' })).toEqual(['id']);
    expect(s.enums.get('public\u0000mood')).toEqual(['blue', 'happy']);
  });

  it('names an unnamed index as PostgreSQL does, after its expressions and INCLUDE columns', () => {
    const s = model(
      'CREATE TABLE "Logs" (id int, "Email" text);\nCREATE INDEX ON "Logs" (lower("Email")) INCLUDE (id);\nCREATE INDEX ON "Logs" (("Email"::varchar));',
    );
    expect(s.tableIndexes({ name: 'Logs' }).map((i) => i.name)).toEqual(['Logs_lower_id_idx', 'Logs_Email_idx']);
  });

  it('leaves a known table alone on CREATE TABLE … IF NOT EXISTS, also with AS', () => {
    const s = model(`
      CREATE TABLE a (id int PRIMARY KEY, x int);
      CREATE TABLE IF NOT EXISTS a (id int);
      CREATE TABLE IF NOT EXISTS a AS SELECT 1 AS y;`);
    expect([...s.table({ name: 'a' })!.columns.keys()]).toEqual(['id', 'x']);
    expect(s.rowKey({ name: 'a' })).toEqual(['id']);
  });

  it('keeps a serial column as PostgreSQL makes it: an integer, NOT NULL, drawing from its own sequence', () => {
    const s = model(`
      CREATE TABLE accounts (id serial PRIMARY KEY, big_id bigserial, small smallserial);
      CREATE TABLE app."Orders" ("Id" serial8);
      ALTER TABLE accounts ADD COLUMN n serial4;`);
    const accounts = s.table({ name: 'accounts' })!;
    const column = (table: typeof accounts, name: string) => {
      const c = table.columns.get(name)!;
      return { type: c.type.display, notNull: c.notNull, default: c.default?.text };
    };
    expect(column(accounts, 'id')).toEqual({
      type: 'integer',
      notNull: true,
      default: `nextval(CAST('"public"."accounts_id_seq"' AS regclass))`,
    });
    expect(column(accounts, 'big_id')).toEqual({
      type: 'bigint',
      notNull: true,
      default: `nextval(CAST('"public"."accounts_big_id_seq"' AS regclass))`,
    });
    expect(column(accounts, 'small')).toEqual({
      type: 'smallint',
      notNull: true,
      default: `nextval(CAST('"public"."accounts_small_seq"' AS regclass))`,
    });
    expect(column(accounts, 'n')).toEqual({
      type: 'integer',
      notNull: true,
      default: `nextval(CAST('"public"."accounts_n_seq"' AS regclass))`,
    });
    expect(column(s.table({ schema: 'app', name: 'Orders' })!, 'Id')).toEqual({
      type: 'bigint',
      notNull: true,
      default: `nextval(CAST('"app"."Orders_Id_seq"' AS regclass))`,
    });
    expect(accounts.columns.get('big_id')!.type).toMatchObject({ name: 'int8', mods: [], array: false });
  });

  it("keeps a NOT VALID not-null constraint apart from the column's NOT NULL until it is validated", () => {
    const s = model(`
      CREATE TABLE t (a int, b int, c int, d int, CONSTRAINT t_d_nn NOT NULL d NOT VALID);
      ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID, ADD NOT NULL b NOT VALID, ADD CONSTRAINT t_c_nn NOT NULL c NOT VALID;
      ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;
      ALTER TABLE t ALTER COLUMN c DROP NOT NULL;`);
    const t = s.table({ name: 't' })!;
    const notNull = (column: string) => [t.columns.get(column)!.notNull, s.pendingNotNull({ name: 't' }, column)?.name];
    // validated: the column's NOT NULL
    expect(notNull('a')).toEqual([true, undefined]);
    // not yet: new rows are refused NULL, existing ones may hold it
    expect(notNull('b')).toEqual([false, 't_b_not_null']);
    expect(t.constraints.get('t_b_not_null')).toMatchObject({ kind: 'not-null', validated: false });
    // DROP NOT NULL drops it
    expect(notNull('c')).toEqual([false, undefined]);
    // CREATE TABLE checks no row: the constraint is valid
    expect(notNull('d')).toEqual([true, undefined]);
    const later = model(`
      CREATE TABLE t (b int);
      ALTER TABLE t ADD NOT NULL b NOT VALID;
      ALTER TABLE t ALTER COLUMN b SET NOT NULL;`);
    // SET NOT NULL validates it
    expect([later.column({ name: 't' }, 'b')!.notNull, later.pendingNotNull({ name: 't' }, 'b')]).toEqual([
      true,
      undefined,
    ]);
  });

  it("keeps a trigger's UPDATE OF on a renamed column, in the model and not in a copy made before", () => {
    const schema = model(`CREATE TABLE t (id int, price int, note text);
      CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
      CREATE TRIGGER t_stamp BEFORE UPDATE OF price ON t FOR EACH ROW EXECUTE FUNCTION stamp();`);
    const before = schema.clone();
    replay(parseSource('m.sql', 'ALTER TABLE t RENAME COLUMN price TO amount;'), schema);
    const UPDATE = 16;
    expect(schema.firingTriggers({ name: 't' }, UPDATE, ['amount'])).toEqual(['t_stamp']);
    expect(schema.firingTriggers({ name: 't' }, UPDATE, ['note'])).toEqual([]);
    expect(before.firingTriggers({ name: 't' }, UPDATE, ['price'])).toEqual(['t_stamp']);
  });

  it('follows a renamed type into the columns that use it', () => {
    const s = model(`
      CREATE TYPE "EventType" AS ENUM ('a');
      CREATE TABLE e (kind "EventType", kinds "EventType"[]);
      ALTER TYPE "EventType" RENAME TO "ActionType";`);
    const e = s.table({ name: 'e' })!;
    expect(e.columns.get('kind')!.type).toMatchObject({ name: 'ActionType', display: 'ActionType' });
    expect(e.columns.get('kinds')!.type.display).toBe('ActionType[]');
  });

  it('skips statements it does not model without breaking', () => {
    const s = model(`
      CREATE TABLE t (a int);
      CREATE EXTENSION IF NOT EXISTS pgcrypto;
      GRANT SELECT ON t TO reader;
      ALTER TABLE missing ADD COLUMN b int;
      DO $$ BEGIN PERFORM 1; END $$;
      ALTER TABLE t ADD COLUMN b int;`);
    expect([...s.table({ name: 't' })!.columns.keys()]).toEqual(['a', 'b']);
  });

  it('reads a pg_dump --schema-only file, psql meta-commands included', async () => {
    const s = schemaFrom(await readSchemaDump('fixtures/schema/shop.schema.sql'));
    const orders = s.table({ schema: 'public', name: 'orders' })!;
    expect(orders.columns.get('user_id')).toMatchObject({ type: { name: 'int8' }, notNull: true });
    expect(orders.columns.get('status')).toMatchObject({ type: { name: 'order_status' }, notNull: true });
    expect(orders.constraints.get('orders_user_id_fkey')).toMatchObject({
      kind: 'foreign-key',
      references: { onDelete: 'cascade' },
    });
    expect(orders.constraints.get('orders_note_len')).toMatchObject({ validated: false });
    expect(orders.constraints.get('orders_total_check')).toMatchObject({ validated: true });
    expect(s.table({ name: 'users' })!.columns.get('full_name')).toMatchObject({ collation: 'C' });
    expect(s.table({ name: 'users' })!.columns.get('id')).toMatchObject({ identity: 'always' });
    expect(
      s
        .tableIndexes({ name: 'orders' })
        .map((i) => [i.name, i.partial])
        .sort(),
    ).toEqual([
      ['orders_open_idx', true],
      ['orders_pkey', false],
      ['orders_user_id_idx', false],
    ]);
    expect(s.enums.get('public\u0000order_status')).toEqual(['new', 'paid', 'shipped']);
    expect(s.views.has('public\u0000open_orders')).toBe(true);
  });

  it('names a dump that does not parse, with line and column', async () => {
    await expect(readSchemaDump('fixtures/does-not-exist.sql')).rejects.toThrow(
      /does-not-exist\.sql: cannot read schema file \(ENOENT\)/,
    );
  });
});
