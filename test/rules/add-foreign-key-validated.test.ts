import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-foreign-key-validated', {
  valid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' },
    { sql: 'CREATE TABLE orders (id int, user_id int);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);' },
  ],
  invalid: [{ sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);', at: ['1:1'], message: 'on "orders" and "users"' }],
});
