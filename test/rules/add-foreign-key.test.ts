import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-foreign-key', {
  valid: [
    { sql: 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD FOREIGN KEY (a) REFERENCES users (id);' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      at: ['1:1'],
      message: '"orders"("user_id") → "users"',
    },
  ],
});
