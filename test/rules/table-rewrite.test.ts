import { ruleCases } from '../helpers/lint.js';

await ruleCases('table-rewrite', {
  valid: [{ sql: 'VACUUM users;' }, { sql: 'CREATE TABLE t (a int);\nALTER TABLE t SET LOGGED;' }],
  invalid: [
    { sql: 'VACUUM FULL users;', at: ['1:1'], message: 'VACUUM FULL rewrites "users"' },
    { sql: 'CLUSTER users USING users_pkey;\nALTER TABLE users SET TABLESPACE fast;\nALTER TABLE users SET UNLOGGED;\nALTER TABLE users SET ACCESS METHOD heap;', at: ['1:1', '2:1', '3:1', '4:1'] },
  ],
});
