import { ruleCases } from '../helpers/lint.js';

const on = { 'prefer-text': 'warning' } as const;

await ruleCases('prefer-text', {
  valid: [{ sql: 'CREATE TABLE t (a varchar(20));' }, { sql: 'CREATE TABLE t (a text, b varchar);', severities: on }],
  invalid: [{ sql: 'CREATE TABLE t (a varchar(20));', severities: on, at: ['1:17'], message: '"a" is varchar(20)' }],
});
