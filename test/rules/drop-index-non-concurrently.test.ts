import { ruleCases } from '../helpers/lint.js';

await ruleCases('drop-index-non-concurrently', {
  valid: [
    { sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_email;' },
    { sql: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;' },
  ],
  invalid: [
    { sql: 'DROP INDEX users_email;', at: ['1:1'], message: 'index "users_email"' },
    { history: 'CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);', sql: 'SELECT 1;\nDROP INDEX users_email;', at: ['2:1'], message: 'on its table "public"."users"' },
  ],
});
