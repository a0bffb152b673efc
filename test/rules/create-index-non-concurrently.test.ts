import { ruleCases } from '../helpers/lint.js';

await ruleCases('create-index-non-concurrently', {
  valid: [
    { sql: 'CREATE INDEX CONCURRENTLY users_email ON users (email);' },
    { sql: 'CREATE TABLE orders (id bigint, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id);' },
  ],
  invalid: [
    { sql: 'CREATE INDEX users_email ON users (email);', at: ['1:1'], message: 'index "users_email" on "users"' },
    { sql: 'CREATE TABLE a (x int);\n\n  CREATE UNIQUE INDEX ON app.users (lower(email));', at: ['3:3'], message: '"app"."users"' },
  ],
});
