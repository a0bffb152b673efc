import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-constraint-builds-index', {
  valid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a);' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', at: ['1:1'], message: 'ADD UNIQUE on "users"' },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', at: ['1:1'], message: 'ADD PRIMARY KEY' },
  ],
});
