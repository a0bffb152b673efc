import { ruleCases } from '../helpers/lint.js';

const keyed = 'CREATE TABLE f (a int NOT NULL, b int NOT NULL, CONSTRAINT f_ab UNIQUE (a, b));';
const helperCheck =
  'CREATE TABLE users (email text);\nALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;';

await ruleCases('drop-constraint', {
  valid: [
    { sql: 'CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT a_pos;' },
    // dropped and re-added under the same name in one transaction: a new definition
    {
      sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;\nALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;',
      transaction: 'per-file',
    },
    // … or in the same statement, which is atomic in any transaction model
    {
      sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user, ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;',
      transaction: 'none',
    },
    // re-added without a name, under the name PostgreSQL gives it by default
    { sql: 'ALTER TABLE t DROP CONSTRAINT "t_pkey", ADD PRIMARY KEY (id, tenant_id);' },
    { sql: 'ALTER TABLE app.users DROP CONSTRAINT users_email_key, ADD UNIQUE (email);' },
    {
      sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;',
    },
    {
      sql: 'ALTER TABLE items DROP CONSTRAINT items_amount_check;\nALTER TABLE items ADD CHECK (amount > 0 AND amount < 1000) NOT VALID;',
      transaction: 'implicit',
    },
    { sql: 'ALTER TABLE t DROP CONSTRAINT t_pkey, ADD PRIMARY KEY USING INDEX t_pkey;' },
    // a check on several columns is named after the table alone
    { sql: 'ALTER TABLE items DROP CONSTRAINT items_check, ADD CHECK (low <= high);' },
    // ALTER TABLE drops before it adds, whatever the order of its sub-commands
    { sql: 'ALTER TABLE t ADD PRIMARY KEY (id, tenant_id), DROP CONSTRAINT t_pkey;' },
    // a unique key replaced by a primary key or unique key on the same columns or fewer
    { history: keyed, sql: 'ALTER TABLE f DROP CONSTRAINT f_ab, ADD CONSTRAINT f_pk PRIMARY KEY (b, a);' },
    {
      history: keyed,
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab;\nALTER TABLE f ADD CONSTRAINT f_a UNIQUE (a);',
      transaction: 'per-file',
    },
    {
      history: keyed,
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab;\nCREATE UNIQUE INDEX f_b ON f (b);',
      transaction: 'per-file',
    },
    {
      history: `${keyed}\nCREATE UNIQUE INDEX f_a_idx ON f (a);`,
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab, ADD CONSTRAINT f_a UNIQUE USING INDEX f_a_idx;',
    },
    {
      history: 'CREATE TABLE f (a int PRIMARY KEY, b int NOT NULL);',
      sql: 'ALTER TABLE f DROP CONSTRAINT f_pkey, ADD CONSTRAINT f_pk PRIMARY KEY (a);',
    },
    // the table goes in the same transaction: no row is written without the guarantee
    { sql: 'ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";\n\nDROP TABLE "Post";', transaction: 'implicit' },
    { sql: 'BEGIN;\nALTER TABLE public.posts DROP CONSTRAINT posts_author_fk;\nDROP TABLE posts;\nCOMMIT;' },
    // a helper CHECK (col IS NOT NULL) once SET NOT NULL holds the guarantee
    {
      history: helperCheck,
      sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT email_nn;',
    },
    {
      history: `${helperCheck}\nALTER TABLE users ALTER COLUMN email SET NOT NULL;`,
      sql: 'ALTER TABLE users DROP CONSTRAINT email_nn;',
    },
    { history: helperCheck, sql: 'ALTER TABLE users DROP CONSTRAINT email_nn, ALTER COLUMN email SET NOT NULL;' },
  ],
  invalid: [
    {
      history: 'CREATE TABLE orders (user_id int CONSTRAINT fk_user REFERENCES users (id));',
      sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;',
      at: ['1:1'],
      message: 'foreign key "fk_user" of "orders"',
    },
    { sql: 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS whatever;', at: ['1:1'], message: 'constraint "whatever"' },
    {
      sql: 'ALTER TABLE orders DROP CONSTRAINT fk_user;\nALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id);',
      transaction: 'none',
      at: ['1:1'],
    },
    // the default name of the new key is another name
    { sql: 'ALTER TABLE t DROP CONSTRAINT t_pk, ADD PRIMARY KEY (id);', at: ['1:1'] },
    { sql: 'ALTER TABLE t DROP CONSTRAINT t_email_key, ADD UNIQUE (email, tenant_id);', at: ['1:1'] },
    {
      sql: 'ALTER TABLE t DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id);\nALTER TABLE u DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id);',
      at: ['2:1'],
    },
    { sql: 'ALTER TABLE items DROP CONSTRAINT items_low_check, ADD CHECK (low <= high);', at: ['1:1'] },
    // a key on more columns, or a unique key in place of a primary key, is a weaker guarantee
    {
      history: 'CREATE TABLE f (a int NOT NULL, b int NOT NULL, CONSTRAINT f_a UNIQUE (a));',
      sql: 'ALTER TABLE f DROP CONSTRAINT f_a, ADD CONSTRAINT f_ab UNIQUE (a, b);',
      at: ['1:1'],
      message: 'unique constraint "f_a"',
    },
    {
      history: 'CREATE TABLE f (a int PRIMARY KEY);',
      sql: 'ALTER TABLE f DROP CONSTRAINT f_pkey, ADD CONSTRAINT f_a UNIQUE (a);',
      at: ['1:1'],
      message: 'primary key',
    },
    {
      history: keyed,
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab;\nCREATE UNIQUE INDEX f_b ON f (b) WHERE b > 0;',
      transaction: 'per-file',
      at: ['1:1'],
    },
    // the replacement comes in another transaction: rows are written without the guarantee in between
    {
      history: keyed,
      sql: 'ALTER TABLE f DROP CONSTRAINT f_ab;\nALTER TABLE f ADD CONSTRAINT f_a UNIQUE (a);',
      transaction: 'none',
      at: ['1:1'],
    },
    // another table goes, or the table goes in a later transaction
    {
      sql: 'ALTER TABLE posts DROP CONSTRAINT posts_author_fk;\nDROP TABLE authors;',
      transaction: 'implicit',
      at: ['1:1'],
    },
    { sql: 'ALTER TABLE posts DROP CONSTRAINT posts_author_fk;\nDROP TABLE posts;', transaction: 'none', at: ['1:1'] },
    // the helper check of another column, or NOT NULL not set
    {
      history: helperCheck,
      sql: 'ALTER TABLE users ALTER COLUMN name SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT email_nn;',
      at: ['2:1'],
      message: 'check constraint "email_nn"',
    },
    { history: helperCheck, sql: 'ALTER TABLE users DROP CONSTRAINT email_nn;', at: ['1:1'] },
  ],
});
