import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-not-null', {
  valid: [
    {
      history: 'CREATE TABLE invoices (id bigint PRIMARY KEY);',
      sql: "ALTER TABLE invoices ADD COLUMN currency text NOT NULL DEFAULT 'EUR';\nALTER TABLE invoices ALTER COLUMN currency DROP NOT NULL;",
    },
    { sql: 'CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;' },
  ],
  invalid: [{ sql: 'SET lock_timeout = 1000;\nALTER TABLE users ALTER COLUMN name DROP NOT NULL;', at: ['2:1'] }],
});
