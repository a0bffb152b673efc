import { ruleCases } from '../helpers/lint.js';

await ruleCases('fk-missing-index', {
  valid: [
    {
      sql: 'CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id, id);',
    },
    {
      sql: 'CREATE TABLE m (org_id int, user_id int, PRIMARY KEY (org_id, user_id), FOREIGN KEY (org_id) REFERENCES orgs (id));',
    },
    {
      sql: '-- pgphase-ignore fk-missing-index: orders are never deleted\nCREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));',
    },
    // the leading columns in another order serve the lookup just as well
    {
      sql: 'CREATE TABLE items (order_id int, line int, sku text, FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line));\nCREATE INDEX items_line_order ON items (line, order_id, sku);',
    },
    // a partial index on the non-NULL keys serves the lookup, which never matches NULL
    {
      sql: 'CREATE TABLE orders (id bigint, coupon_id bigint REFERENCES coupons (id));\nCREATE INDEX orders_coupon ON orders (coupon_id) WHERE coupon_id IS NOT NULL;',
    },
    {
      sql: 'CREATE TABLE items (order_id int, line int, FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line));\nCREATE INDEX items_line ON items (line, order_id) WHERE (order_id IS NOT NULL AND line IS NOT NULL);',
    },
    {
      sql: 'CREATE TABLE items (order_id int, line int, FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line));\nCREATE INDEX items_line ON items (order_id, line) WHERE line IS NOT NULL;',
    },
  ],
  invalid: [
    // any other predicate leaves keys out of the index
    {
      sql: "CREATE TABLE orders (id bigint, status text, coupon_id bigint REFERENCES coupons (id));\nCREATE INDEX orders_coupon ON orders (coupon_id) WHERE status = 'open';",
      at: ['1:1'],
    },
    {
      sql: 'CREATE TABLE orders (id bigint, status text, coupon_id bigint REFERENCES coupons (id));\nCREATE INDEX orders_coupon ON orders (coupon_id) WHERE coupon_id IS NOT NULL OR status IS NOT NULL;',
      at: ['1:1'],
    },
    {
      sql: 'CREATE TABLE orders (id bigint, status text, coupon_id bigint REFERENCES coupons (id));\nCREATE INDEX orders_coupon ON orders (coupon_id) WHERE coupon_id IS NOT NULL AND status IS NOT NULL;',
      at: ['1:1'],
    },
    {
      sql: 'CREATE TABLE orders (id bigint, coupon_id bigint REFERENCES coupons (id));\nCREATE INDEX orders_coupon ON orders (coupon_id) WHERE coupon_id IS NULL;',
      at: ['1:1'],
    },
    {
      sql: 'CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));',
      at: ['1:1'],
      message: '"orders"("user_id") for its foreign key to "users"',
    },
    {
      history:
        'CREATE TABLE items (id int, order_id int, sku text);\nCREATE INDEX items_sku_order ON items (sku, order_id);',
      sql: 'SELECT 1;\nALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;',
      at: ['2:1'],
    },
    // the key's columns must lead: (sku, order_id, line) does not serve a lookup by (order_id, line)
    {
      sql: 'CREATE TABLE items (order_id int, line int, sku text, FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line));\nCREATE INDEX items_sku ON items (sku, line, order_id);',
      at: ['1:1'],
    },
  ],
});
