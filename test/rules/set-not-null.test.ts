import { ruleCases } from '../helpers/lint.js';

await ruleCases('set-not-null', {
  valid: [{ sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' }],
  invalid: [{ sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', at: ['1:1'], message: '"users"."email" NOT NULL' }],
});
