import { ruleCases } from '../helpers/lint.js';

await ruleCases('rename-object', {
  valid: [
    { sql: 'CREATE VIEW v AS SELECT 1;\nALTER VIEW v RENAME TO w;' },
    { sql: 'ALTER INDEX users_email RENAME TO users_email_idx;' },
    // the enum re-creation idiom: the old name is taken again in the same transaction
    {
      sql: "ALTER TYPE status RENAME TO status_old;\nCREATE TYPE status AS ENUM ('a', 'b');\nDROP TYPE status_old;",
      transaction: 'implicit',
    },
    {
      sql: "CREATE TYPE mood_new AS ENUM ('x');\nALTER TYPE mood RENAME TO mood_old;\nALTER TYPE mood_new RENAME TO mood;",
      transaction: 'per-file',
    },
  ],
  invalid: [
    { sql: 'ALTER VIEW active_users RENAME TO enabled_users;', at: ['1:1'], message: 'view "active_users"' },
    { sql: 'ALTER FUNCTION touch() RENAME TO touch_row;', at: ['1:1'], message: 'function "touch"' },
    { sql: 'ALTER SCHEMA billing RENAME TO invoicing;', at: ['1:1'], message: 'schema "billing"' },
    { sql: 'ALTER TYPE mood RENAME TO feeling;', at: ['1:1'], message: 'type "mood"' },
    { sql: 'ALTER SEQUENCE s RENAME TO t;', at: ['1:1'], message: 'sequence "s"' },
    { sql: 'ALTER MATERIALIZED VIEW stats RENAME TO totals;', at: ['1:1'], message: 'materialized view "stats"' },
  ],
});
