import { ruleCases } from '../helpers/lint.js';

await ruleCases('table-rewrite', {
  valid: [
    { sql: 'VACUUM users;' },
    { sql: 'VACUUM (FULL false);' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t SET LOGGED;' },
    {
      sql: 'CREATE MATERIALIZED VIEW totals AS SELECT 1 AS a;\nCREATE INDEX totals_a ON totals (a);\nCLUSTER totals USING totals_a;\nVACUUM FULL totals;',
    },
  ],
  invalid: [
    { sql: 'VACUUM FULL users;', at: ['1:1'], message: 'VACUUM FULL rewrites "users"' },
    // no table: every table CLUSTER … USING clustered before, or every table of the database
    {
      sql: 'SELECT 1;\nCLUSTER;',
      at: ['2:1'],
      message: 'CLUSTER without a table name rewrites every clustered table, one table at a time',
    },
    {
      sql: 'VACUUM FULL;\nVACUUM (FULL, ANALYZE);',
      at: ['1:1', '2:1'],
      message: 'VACUUM FULL without a table name rewrites the whole database',
    },
    {
      sql: 'CLUSTER users USING users_pkey;\nALTER TABLE users SET TABLESPACE fast;\nALTER TABLE users SET UNLOGGED;\nALTER TABLE users SET ACCESS METHOD heap;',
      at: ['1:1', '2:1', '3:1', '4:1'],
    },
  ],
});
