import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-foreign-key', {
  valid: [
    { sql: 'CREATE TABLE orders (id int, user_id int REFERENCES users (id));' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD FOREIGN KEY (a) REFERENCES users (id);' },
    // dropped and re-added with another ON DELETE: no new rule for writers
    {
      history:
        'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE follows (user_id int CONSTRAINT fk_user REFERENCES users (id));',
      sql: 'ALTER TABLE follows DROP CONSTRAINT fk_user;\nALTER TABLE follows ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;',
    },
    // a new column the running version never writes stays NULL for it, which the key accepts
    { sql: 'ALTER TABLE orders ADD COLUMN org_id bigint REFERENCES orgs (id);' },
    { sql: 'ALTER TABLE orders ADD COLUMN org_id bigint DEFAULT NULL REFERENCES orgs (id);' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      at: ['1:1'],
      message: '"orders"("user_id") → "users"',
    },
    // existing rows and the running version's inserts get org 1, which must exist from now on
    {
      sql: 'ALTER TABLE orders ADD COLUMN org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id);',
      at: ['1:1'],
      message: '"orders"("org_id") → "orgs"',
    },
  ],
});
