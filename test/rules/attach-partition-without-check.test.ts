import { ruleCases } from '../helpers/lint.js';

const history =
  'CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 (at date NOT NULL);';
const attach = "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');";
const check =
  "ALTER TABLE events_2024 ADD CONSTRAINT in_2024 CHECK (at >= '2024-01-01' AND at < '2025-01-01') NOT VALID;";

await ruleCases('attach-partition-without-check', {
  valid: [
    // the constraint validated first: PostgreSQL skips the scan
    { history, sql: `${check}\nALTER TABLE events_2024 VALIDATE CONSTRAINT in_2024;\n${attach}` },
    { history: `${history}\n${check.replace(' NOT VALID', '')}`, sql: attach },
    // the key unknown (the parent made outside the migrations): any validated CHECK is trusted
    {
      history: `CREATE TABLE events_2024 (at date NOT NULL, n int);\nALTER TABLE events_2024 ADD CONSTRAINT positive CHECK (n > 0);`,
      sql: attach,
    },
    // a table of this migration: no traffic to wait
    {
      history: 'CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);',
      sql: `CREATE TABLE events_2024 (at date NOT NULL);\n${attach}`,
    },
  ],
  invalid: [
    {
      history,
      sql: attach,
      at: ['1:1'],
      message: 'Attaching "events_2024" to "events" scans every row of "events_2024"',
    },
    // NOT VALID only: the constraint proves nothing about the rows
    { history, sql: `${check}\n${attach}`, at: ['2:1'] },
    // a table no migration made
    { sql: attach, at: ['1:1'] },
    // a CHECK on another column than the partition key says nothing about the bounds
    {
      history: `${history.replace('(at date NOT NULL);', '(at date NOT NULL, n int);')}\nALTER TABLE events_2024 ADD CONSTRAINT positive CHECK (n > 0);`,
      sql: attach,
      at: ['1:1'],
    },
  ],
});
