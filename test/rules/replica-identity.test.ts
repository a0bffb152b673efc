import { ruleCases } from '../helpers/lint.js';

const table = 'CREATE TABLE orders (id bigint PRIMARY KEY);';

await ruleCases('replica-identity', {
  valid: [
    {
      history: `${table}\nCREATE PUBLICATION pub FOR TABLE orders;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY DEFAULT;',
    },
    {
      history: `${table}\nCREATE UNIQUE INDEX orders_id ON orders (id);\nCREATE PUBLICATION pub FOR ALL TABLES;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_id;',
    },
    // FULL costs only where something publishes the table
    { history: table, sql: 'ALTER TABLE orders REPLICA IDENTITY FULL;' },
    {
      history: `${table}\nCREATE PUBLICATION pub FOR TABLE orders;\nALTER PUBLICATION pub DROP TABLE orders;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY FULL;',
    },
    {
      history: `${table}\nCREATE PUBLICATION pub FOR TABLE orders;\nDROP PUBLICATION pub;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY FULL;',
    },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t REPLICA IDENTITY NOTHING;' },
  ],
  invalid: [
    {
      history: `${table}\nCREATE PUBLICATION pub FOR TABLE orders;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY NOTHING;',
      at: ['1:1'],
      message: 'published by "pub", makes every UPDATE and DELETE on "orders" fail',
      severity: 'error',
    },
    {
      history: `${table}\nCREATE PUBLICATION pub FOR ALL TABLES;`,
      sql: 'ALTER TABLE orders REPLICA IDENTITY FULL;',
      at: ['1:1'],
      message: 'writes the whole old row to the WAL',
    },
    {
      history: `CREATE SCHEMA app;\nCREATE TABLE app.orders (id bigint PRIMARY KEY);\nCREATE PUBLICATION pub FOR TABLES IN SCHEMA app;`,
      sql: 'ALTER TABLE app.orders REPLICA IDENTITY FULL;',
      at: ['1:1'],
      pgVersion: 15,
    },
    // a publication follows a renamed table
    {
      history: `${table}\nCREATE PUBLICATION pub;\nALTER PUBLICATION pub ADD TABLE orders;\nALTER TABLE orders RENAME TO purchases;`,
      sql: 'ALTER TABLE purchases REPLICA IDENTITY NOTHING;',
      at: ['1:1'],
      message: '"purchases", published by "pub"',
    },
    // no publication known: one made outside the migrations may publish it
    {
      history: table,
      sql: 'ALTER TABLE orders REPLICA IDENTITY NOTHING;',
      at: ['1:1'],
      message: 'if a publication publishes it',
      severity: 'warning',
    },
  ],
});
