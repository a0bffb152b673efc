import { ruleCases } from '../helpers/lint.js';

const on = { 'non-idempotent': 'warning' } as const;

await ruleCases('non-idempotent', {
  valid: [
    { sql: 'CREATE TABLE t (a int);', severities: {} },
    { sql: 'CREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nDROP TABLE IF EXISTS old;', severities: on },
    { sql: 'CREATE TABLE t (a int);', transaction: 'per-file', severities: on },
  ],
  invalid: [
    { sql: 'CREATE TABLE t (a int);\nDROP INDEX CONCURRENTLY i;\nALTER TABLE t ADD COLUMN b int, ADD COLUMN c int;', severities: on, at: ['1:1', '2:1', '3:1'], message: 'lacks' },
  ],
});
