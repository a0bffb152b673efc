import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-check-validated', {
  valid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT total_ok CHECK (total >= 0) NOT VALID;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CHECK (a > 0);' },
  ],
  invalid: [{ sql: '\n ALTER TABLE orders ADD CONSTRAINT total_ok CHECK (total >= 0);', at: ['2:2'], message: 'CHECK (total >= 0) to "orders"' }],
});
