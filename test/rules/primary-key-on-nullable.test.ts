import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE users (id bigint NOT NULL, code text);\nCREATE UNIQUE INDEX users_id ON users (id);\nCREATE UNIQUE INDEX users_code ON users (code);';

await ruleCases('primary-key-on-nullable', {
  valid: [
    { history, sql: 'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id;' },
    { history, sql: 'ALTER TABLE users ADD PRIMARY KEY (id);' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a);' },
  ],
  invalid: [
    {
      history,
      sql: 'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_code;',
      at: ['1:1'],
      message: 'makes "code" NOT NULL',
    },
    { history, sql: 'ALTER TABLE users ADD PRIMARY KEY (id, code);', at: ['1:1'], message: '"code"' },
    // unknown columns are assumed nullable
    { sql: 'ALTER TABLE accounts ADD PRIMARY KEY (id);', at: ['1:1'] },
  ],
});
