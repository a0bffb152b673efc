import { ruleCases } from '../helpers/lint.js';

const published =
  'CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, code text NOT NULL);\nCREATE PUBLICATION pub FOR TABLE orders;';

await ruleCases('drop-published-primary-key', {
  valid: [
    {
      history: 'CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY);',
      sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey;',
    },
    {
      history: `${published}\nALTER TABLE orders ADD CONSTRAINT orders_code CHECK (code <> '');`,
      sql: 'ALTER TABLE orders DROP CONSTRAINT orders_code;',
    },
    // a new primary key in the same transaction
    {
      history: published,
      sql: 'BEGIN;\nALTER TABLE orders DROP CONSTRAINT orders_pkey;\nALTER TABLE orders ADD PRIMARY KEY (code);\nCOMMIT;',
    },
  ],
  invalid: [
    {
      history: published,
      sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey;',
      at: ['1:1'],
      message: 'Dropping the primary key "orders_pkey" of "orders", published by "pub"',
    },
    {
      history: published,
      sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey;\nALTER TABLE orders ADD PRIMARY KEY (code);',
      transaction: 'none',
      at: ['1:1'],
    },
  ],
});
