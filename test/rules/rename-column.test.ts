import { ruleCases } from '../helpers/lint.js';

await ruleCases('rename-column', {
  valid: [{ sql: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;' }],
  invalid: [
    {
      sql: 'ALTER TABLE users RENAME COLUMN name TO full_name;',
      at: ['1:1'],
      message: 'Renaming column "users"."name" to "full_name" breaks every query of the running version that uses "name"',
    },
    { sql: '\n\nALTER TABLE "public"."UserAccount" RENAME "a""b" TO c;', at: ['3:1'], message: '"public"."UserAccount"."a""b"' },
  ],
});
