import { ruleCases } from '../helpers/lint.js';

await ruleCases('domain-check-constraint', {
  valid: [
    { sql: 'CREATE DOMAIN email AS text;' },
    { sql: "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%') NOT VALID;" },
  ],
  invalid: [
    { sql: "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');", at: ['1:1'], message: 'Domain "email" carries a CHECK' },
    { sql: "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');", at: ['1:1'], message: 'Adding a constraint to domain "email"' },
  ],
});
