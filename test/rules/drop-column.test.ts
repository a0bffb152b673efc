import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-column', {
  valid: [
    { sql: 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;' },
    { sql: '-- pgphase-ignore drop-column: contract phase, no deployed version reads it\nALTER TABLE users DROP COLUMN name;' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users DROP COLUMN name;', at: ['1:1'], message: 'Dropping column "users"."name"' },
    { sql: 'SELECT 1;\n  ALTER TABLE "public"."UserAccount" DROP COLUMN "Name", DROP COLUMN IF EXISTS b;', at: ['2:3', '2:3'], message: '"public"."UserAccount"' },
  ],
});
