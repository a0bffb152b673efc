import { ruleCases } from '../helpers/lint.js';

await ruleCases('domain-check-constraint', {
  valid: [
    { sql: 'CREATE DOMAIN email AS text;' },
    { sql: "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%') NOT VALID;" },
    // a domain of this migration has no column with rows yet
    {
      sql: "CREATE DOMAIN email AS text;\nALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%') NOT VALID;\nALTER DOMAIN email VALIDATE CONSTRAINT has_at;",
    },
    { sql: 'ALTER DOMAIN email DROP CONSTRAINT has_at;' },
  ],
  invalid: [
    {
      sql: "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');",
      at: ['1:1'],
      message: 'Domain "email" carries a CHECK',
    },
    {
      sql: "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');",
      at: ['1:1'],
      message: 'Adding a constraint to domain "email"',
    },
    // unlike a table's VALIDATE, a domain's takes SHARE on every table using it (seen on PostgreSQL 15 and 18)
    {
      sql: 'SELECT 1;\nALTER DOMAIN app.email VALIDATE CONSTRAINT has_at;',
      at: ['2:1'],
      message: 'Validating constraint "has_at" of domain "app"."email"',
    },
  ],
});
