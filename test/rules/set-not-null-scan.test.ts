import { ruleCases } from '../helpers/lint.js';

const checked = 'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;';
const unvalidated = 'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;';

await ruleCases('set-not-null-scan', {
  valid: [
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 12 },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    // NOT NULL already: a no-op, on any version
    { history: 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);', sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN id SET NOT NULL;', pgVersion: 11 },
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 12 },
  ],
  invalid: [
    // PostgreSQL 11 scans even with the check
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', pgVersion: 11, at: ['1:1'] },
    { history: unvalidated, sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', at: ['1:1'], message: '"users"."email"' },
    { history: checked, sql: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;', at: ['1:1'] },
    { history: 'CREATE TABLE users (email text NOT NULL);', sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL, ALTER COLUMN email SET NOT NULL;', at: ['1:1'] },
  ],
});
