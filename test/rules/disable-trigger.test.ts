import { ruleCases } from '../helpers/lint.js';

await ruleCases('disable-trigger', {
  valid: [
    // enabled again before anyone else sees it
    {
      sql: 'BEGIN;\nALTER TABLE orders DISABLE TRIGGER ALL;\nINSERT INTO orders SELECT * FROM staging;\nALTER TABLE orders ENABLE TRIGGER ALL;\nCOMMIT;',
    },
    {
      sql: 'ALTER TABLE orders DISABLE TRIGGER USER;\nALTER TABLE orders ENABLE TRIGGER USER;',
      transaction: 'per-file',
    },
    // one named trigger is the author's choice
    { sql: 'ALTER TABLE orders DISABLE TRIGGER audit;' },
    { sql: 'CREATE TABLE t (a int);\nALTER TABLE t DISABLE TRIGGER ALL;' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE orders DISABLE TRIGGER ALL;',
      at: ['1:1'],
      message: 'turns off every trigger on "orders", its foreign-key checks included',
    },
    {
      sql: 'ALTER TABLE orders DISABLE TRIGGER USER;',
      at: ['1:1'],
      message: 'every trigger of the application on "orders"',
    },
    // enabled again only in a later transaction: other sessions ran without them in between
    {
      sql: 'ALTER TABLE orders DISABLE TRIGGER ALL;\nALTER TABLE orders ENABLE TRIGGER ALL;',
      transaction: 'none',
      at: ['1:1'],
    },
    // enabling USER does not enable the foreign-key triggers ALL turned off
    {
      sql: 'BEGIN;\nALTER TABLE orders DISABLE TRIGGER ALL;\nALTER TABLE orders ENABLE TRIGGER USER;\nCOMMIT;',
      at: ['2:1'],
    },
  ],
});
