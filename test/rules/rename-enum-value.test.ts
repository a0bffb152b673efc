import { ruleCases } from '../helpers/lint.js';

await ruleCases('rename-enum-value', {
  valid: [
    { sql: "ALTER TYPE status ADD VALUE 'archived';" },
    { sql: "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s RENAME VALUE 'a' TO 'b';" },
  ],
  invalid: [
    {
      sql: "ALTER TYPE status RENAME VALUE 'done' TO 'closed';",
      at: ['1:1'],
      message: "value 'done' of enum \"status\" to 'closed'",
    },
  ],
});
