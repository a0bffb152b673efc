import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-constraint', {
  valid: [
    { sql: 'CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT a_pos;' },
    // dropped and re-added under the same name in one transaction: a new definition
    { sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;\nALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;', transaction: 'per-file' },
  ],
  invalid: [
    { history: 'CREATE TABLE orders (user_id int CONSTRAINT fk_user REFERENCES users (id));', sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;', at: ['1:1'], message: 'foreign key "fk_user" of "orders"' },
    { sql: 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS whatever;', at: ['1:1'], message: 'constraint "whatever"' },
    { sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;\nALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);', transaction: 'none', at: ['1:1'] },
  ],
});
