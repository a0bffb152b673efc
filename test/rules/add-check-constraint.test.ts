import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-check-constraint', {
  valid: [
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0);' },
    { sql: 'ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);' },
    // the running version never writes the new column, and its INSERTs get the default, checked by the ALTER
    { sql: 'ALTER TABLE accounts ADD COLUMN score int DEFAULT 0 CHECK (score >= 0);' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age >= 0) NOT VALID;',
      at: ['1:1'],
      message: 'CHECK (age >= 0)',
    },
    // a column CHECK that reads columns the running version writes
    {
      sql: 'ALTER TABLE events ADD COLUMN ends_at timestamptz CHECK (ends_at > starts_at);',
      at: ['1:1'],
      message:
        'Adding column "ends_at" to "events" with CHECK (ends_at > starts_at) makes writes of the running version to "starts_at"',
    },
  ],
});
