import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-unique-constraint', {
  valid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email ON users (email);' },
    { sql: 'CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a);' },
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', at: ['1:1'], message: '"email" of "users"' },
    { sql: 'ALTER TABLE users ADD PRIMARY KEY (id);', at: ['1:1'], message: '"id" of "users"' },
    { sql: 'SELECT 1;\nCREATE UNIQUE INDEX CONCURRENTLY users_lower_email ON users (lower(email));', at: ['2:1'], message: '(expression)' },
  ],
});
