import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-check-constraint', {
  valid: [
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0);' },
    { sql: 'ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);' },
  ],
  invalid: [
    { sql: 'ALTER TABLE users ADD CONSTRAINT age_ok CHECK (age >= 0) NOT VALID;', at: ['1:1'], message: 'CHECK (age >= 0)' },
  ],
});
