import { ruleCases } from '../helpers/lint.js';

await ruleCases('set-not-null', {
  valid: [
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    // NOT NULL already (as declared, through the primary key, or set earlier): a no-op in PostgreSQL
    { history: 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);', sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN id SET NOT NULL;' },
    { history: 'CREATE TABLE users (email text);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', at: ['1:1'], message: '"users"."email" NOT NULL' },
    { history: 'CREATE TABLE users (email text NOT NULL, name text);', sql: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;', at: ['1:1'] },
    { history: 'CREATE TABLE users (email text NOT NULL);', sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', at: ['2:1'] },
  ],
});
