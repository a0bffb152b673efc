import { ruleCases } from '../helpers/lint.js';

await ruleCases('refresh-matview-non-concurrently', {
  valid: [
    { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY stats;' },
    { sql: 'CREATE MATERIALIZED VIEW stats AS SELECT 1 AS n WITH NO DATA;\nREFRESH MATERIALIZED VIEW stats;' },
  ],
  invalid: [{ sql: 'REFRESH MATERIALIZED VIEW stats;', at: ['1:1'], message: '"stats"' }],
});
