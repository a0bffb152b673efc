import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-default', {
  valid: [{ sql: "CREATE TABLE t (a text DEFAULT 'x');\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;" }],
  invalid: [{ sql: 'ALTER TABLE users ALTER COLUMN status DROP DEFAULT;', at: ['1:1'], message: '"users"."status"' }],
});
