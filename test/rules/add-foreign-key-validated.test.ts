import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-foreign-key-validated', {
  valid: [
    { sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' },
    {
      sql: 'CREATE TABLE orders (id int, user_id int);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);',
    },
    // a new column without a default is NULL in every row: PostgreSQL skips the check (seen on 15 and 18)
    { sql: 'ALTER TABLE orders ADD COLUMN org_id bigint REFERENCES orgs (id);' },
    { sql: 'ALTER TABLE orders ADD COLUMN org_id bigint REFERENCES orgs (id), ADD COLUMN flag boolean DEFAULT false;' },
    {
      sql: 'CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id);',
    },
    // the statement adds a NOT NULL column without a default: it fails on a table with rows, so the key checks none
    {
      history: 'CREATE TABLE features (id char(26) PRIMARY KEY);\nCREATE TABLE runs (id int PRIMARY KEY);',
      sql: 'ALTER TABLE runs ADD COLUMN feature_id char(26) NOT NULL, ADD CONSTRAINT runs_feature FOREIGN KEY (feature_id) REFERENCES features (id);',
    },
    // the column exists: IF NOT EXISTS skips the sub-command with its foreign key
    {
      history: 'CREATE TABLE orders (id int, org_id bigint);',
      sql: 'ALTER TABLE orders ADD COLUMN IF NOT EXISTS org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id);',
    },
  ],
  invalid: [
    {
      history: 'CREATE TABLE folders (id bigint PRIMARY KEY, parent_id bigint);',
      sql: 'ALTER TABLE folders ADD CONSTRAINT folders_parent_fkey FOREIGN KEY (parent_id) REFERENCES folders (id);',
      at: ['1:1'],
      message:
        'from "folders" to itself checks every existing row while holding a SHARE ROW EXCLUSIVE lock on "folders"',
    },
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);',
      at: ['1:1'],
      message: 'on "orders" and "users"',
    },
    {
      sql: 'ALTER TABLE orders ADD COLUMN org_id bigint NOT NULL DEFAULT 1 REFERENCES orgs (id);',
      at: ['1:1'],
      message:
        'Adding column "org_id" to "orders" with a default and a foreign key to "orgs" checks every existing row',
    },
    // any default makes PostgreSQL check, even NULL
    {
      sql: 'SELECT 1;\nALTER TABLE orders ADD COLUMN org_id bigint DEFAULT NULL REFERENCES orgs (id);',
      at: ['2:1'],
      message: 'ACCESS EXCLUSIVE lock on "orders"',
    },
    {
      sql: 'ALTER TABLE orders ADD COLUMN org_id bigint GENERATED ALWAYS AS (id) STORED REFERENCES orgs (id);',
      at: ['1:1'],
      message: 'with a generation expression',
    },
  ],
});
