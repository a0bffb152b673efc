import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-required-column', {
  valid: [
    { sql: 'ALTER TABLE users ADD COLUMN nickname text;' },
    { sql: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';" },
    { sql: 'ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;' },
    { sql: 'ALTER TABLE users ADD COLUMN n bigserial;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD COLUMN plan text NOT NULL;', at: ['1:1'], message: 'NOT NULL column "plan"' },
    { sql: 'ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT NULL;', at: ['1:1'] },
    // a NULL default is no default, cast or not
    {
      sql: 'ALTER TABLE users ADD COLUMN n int DEFAULT NULL::int NOT NULL;\nALTER TABLE users ADD COLUMN m int NOT NULL DEFAULT CAST(NULL AS int);',
      at: ['1:1', '2:1'],
    },
    { sql: 'ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int PRIMARY KEY;', at: ['1:1'] },
  ],
});
