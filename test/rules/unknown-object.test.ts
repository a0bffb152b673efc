import { ruleCases } from '../helpers/lint.js';

const shop = [
  'CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);',
  'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, shipped_at timestamptz);',
  'CREATE VIEW open_orders AS SELECT id FROM orders WHERE shipped_at IS NULL;',
  'CREATE TABLE order_archive AS SELECT * FROM orders;',
  'CREATE TABLE orders_copy (LIKE orders);',
].join('\n');

await ruleCases('unknown-object', {
  valid: [
    // system catalogs and the migration tool's own table
    {
      history: shop,
      sql: "UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'orders_pkey'::regclass;\nALTER TABLE schema_migrations ADD COLUMN note text;",
    },
    // a table filled by CREATE TABLE AS and given a key later: its other columns are not listed
    {
      history: `${shop}\nALTER TABLE order_archive ADD COLUMN archive_id bigserial PRIMARY KEY;`,
      sql: 'CREATE INDEX CONCURRENTLY ON order_archive (customer_id);',
    },
    {
      history: `${shop}\nCREATE TABLE order_audit (changed_at timestamptz) INHERITS (orders);`,
      sql: 'CREATE INDEX CONCURRENTLY ON order_audit (customer_id);',
    },
    {
      history: shop,
      sql: 'CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);\nUPDATE orders SET shipped_at = now() WHERE id = 1;',
    },
    // created or renamed earlier in the same migration
    {
      history: shop,
      sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders RENAME COLUMN note TO notes;\nALTER TABLE orders ALTER COLUMN notes SET DEFAULT '';",
    },
    { history: shop, sql: 'ALTER TABLE orders ADD COLUMN a int, ALTER COLUMN a SET NOT NULL;' },
    { history: shop, sql: 'CREATE TABLE refunds (id bigint);\nCREATE INDEX ON refunds (id);' },
    // the history is not known (no earlier migration given): nothing to tell
    { sql: 'ALTER TABLE orderz ADD COLUMN note text;', historyKnown: false },
    { history: shop, historyKnown: false, sql: 'ALTER TABLE orderz ADD COLUMN note text;' },
    // what may skip a missing table, or names something else than a table
    {
      history: shop,
      sql: 'ALTER TABLE IF EXISTS legacy_orders DROP COLUMN note;\nDROP TABLE IF EXISTS legacy_orders;\nALTER TABLE orders DROP COLUMN IF EXISTS note;',
    },
    {
      history: shop,
      sql: 'ALTER TABLE orders_id_seq OWNER TO app;\nALTER SEQUENCE orders_id_seq OWNED BY orders.id;\nLOCK TABLE open_orders;',
    },
    { history: shop, sql: 'UPDATE open_orders SET id = id;' },
    // a schema the history defines no table in belongs to someone else (an extension, the platform)
    { history: shop, sql: 'UPDATE auth.users SET email = lower(email);' },
    // columns the model does not list
    {
      history: shop,
      sql: 'CREATE INDEX CONCURRENTLY ON order_archive (shipped_at);\nCREATE INDEX CONCURRENTLY ON orders_copy (shipped_at);',
    },
    // tables made by SELECT … INTO and CREATE FOREIGN TABLE
    {
      history: `${shop}\nSELECT * INTO orders_snapshot FROM orders;\nCREATE FOREIGN TABLE remote_orders (id bigint, total int) SERVER warehouse;`,
      sql: 'ALTER TABLE orders_snapshot ADD COLUMN z int;\nCREATE INDEX CONCURRENTLY ON orders_snapshot (customer_id);\nINSERT INTO remote_orders (id) VALUES (1);',
    },
  ],
  invalid: [
    {
      history: `${shop}\nCREATE TABLE order_archive2 AS SELECT * FROM orders;\nDROP TABLE order_archive2;\nCREATE TABLE order_archive2 (id bigint);`,
      sql: 'CREATE INDEX CONCURRENTLY ON order_archive2 (customer_id);',
      at: ['1:1'],
      severity: 'warning',
    },
    {
      history: shop,
      sql: 'CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_on);',
      at: ['1:1'],
      message: 'Table "orders" has no column "shipped_on"',
    },
    {
      history: shop,
      sql: 'ALTER TABLE ordres ADD COLUMN note text;\nUPDATE "Orders" SET shipped_at = now();',
      at: ['1:1', '2:1'],
      message: 'No migration before this statement creates table',
    },
    // dropped or renamed by an earlier statement
    {
      history: `${shop}\nALTER TABLE orders RENAME COLUMN shipped_at TO shipped_on;`,
      sql: 'UPDATE orders SET shipped_at = now() WHERE id = 1;',
      at: ['1:1'],
      message: '"shipped_at"',
    },
    {
      history: shop,
      sql: 'ALTER TABLE customers RENAME TO clients;\nALTER TABLE customers ADD COLUMN phone text;',
      at: ['2:1'],
      message: 'table "customers"',
    },
    {
      history: shop,
      sql: 'ALTER TABLE orders DROP COLUMN shipped_at;\nALTER TABLE orders ALTER COLUMN shipped_at TYPE date;',
      at: ['2:1'],
    },
    // a schema given (`--schema`, `--database-url`) is the whole history too
    { history: shop, historyKnown: true, sql: 'TRUNCATE order_itmes;', at: ['1:1'] },
  ],
});
