import { ruleCases } from '../helpers/lint.js';

await ruleCases('add-exclusion-constraint', {
  valid: [
    {
      sql: 'CREATE TABLE booking (room int, during tstzrange);\nALTER TABLE booking ADD EXCLUDE USING gist (room WITH =, during WITH &&);',
    },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE booking ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
      at: ['1:1'],
      message: '"booking"',
    },
  ],
});
