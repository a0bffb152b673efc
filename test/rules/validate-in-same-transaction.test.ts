import { ruleCases } from '../helpers/lint.js';

const add = 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;';
const validate = 'ALTER TABLE orders VALIDATE CONSTRAINT fk;';

await ruleCases('validate-in-same-transaction', {
  valid: [
    { sql: `${add}\n${validate}`, transaction: 'none' },
    { sql: `BEGIN;\n${add}\nCOMMIT;\n${validate}` },
    // a one-statement file sent as one query runs alone
    { sql: validate, transaction: 'implicit' },
    // a new table has no rows to scan
    { sql: `CREATE TABLE orders (user_id int);\n${add}\n${validate}`, transaction: 'per-file' },
  ],
  invalid: [
    {
      sql: `${add}\n${validate}`,
      transaction: 'per-file',
      at: ['2:1'],
      message: '"fk" in the transaction that added it',
    },
    { sql: `${add}\n${validate}`, transaction: 'implicit', at: ['2:1'] },
    { sql: `BEGIN;\n${add}\n${validate}\nCOMMIT;`, at: ['3:1'] },
    // added without a name: validated under the name PostgreSQL gave it
    {
      sql: 'BEGIN;\nALTER TABLE kids ADD FOREIGN KEY (parent_id) REFERENCES parents (id) NOT VALID;\nALTER TABLE kids VALIDATE CONSTRAINT kids_parent_id_fkey;\nCOMMIT;',
      at: ['3:1'],
      message: '"kids_parent_id_fkey" in the transaction that added it',
    },
    {
      sql: 'ALTER TABLE kids ADD CHECK (age > 0) NOT VALID;\nALTER TABLE kids VALIDATE CONSTRAINT kids_age_check;',
      transaction: 'per-file',
      at: ['2:1'],
    },
  ],
});
