import { ruleCases } from '../helpers/lint.js';

await ruleCases('detach-partition-non-concurrently', {
  valid: [
    { sql: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;' },
    { sql: 'ALTER TABLE events DETACH PARTITION events_2023;', pgVersion: 13 },
    { sql: 'CREATE TABLE events (at date) PARTITION BY RANGE (at);\nALTER TABLE events DETACH PARTITION events_2023;' },
  ],
  invalid: [
    {
      sql: 'ALTER TABLE events DETACH PARTITION events_2023;',
      pgVersion: 14,
      at: ['1:1'],
      message: 'Detaching "events_2023" from "events"',
    },
  ],
});
