import { defineRule } from '../src/lint/rule.js';
import { quoteQName } from '../src/sql/names.js';

export default defineRule({
  meta: {
    id: 'attach-partition-without-check',
    category: 'blocks-traffic',
    severity: 'error',
    work: 'scan',
    description:
      'ATTACH PARTITION of a table without a validated CHECK constraint matching the bounds scans it under ACCESS EXCLUSIVE',
    messages: {
      default: {
        message:
          'Attaching {{partition}} to {{table}} scans every row of {{partition}} to check the partition bounds, under an ACCESS EXCLUSIVE lock on {{partition}}: every query on it waits',
        help: 'Add a CHECK constraint matching the bounds first (`NOT VALID`, then `VALIDATE CONSTRAINT`), attach, then drop the constraint',
      },
    },
  },
  kinds: ['attach-partition'],
  create(context) {
    return {
      change(change) {
        if (context.isNewTable(change.partition)) return;
        // PostgreSQL skips the scan when the partition's validated constraints imply the bounds. That is not
        // proven here: a validated CHECK on every column of the partition key counts (any one when the key is
        // not known, or holds an expression), and PostgreSQL scans if it does not imply them
        const key = context.schema.table(change.table)?.partitionKey;
        const columns = key?.every((k) => k !== null) ? (key as string[]) : [];
        const constraints = context.schema.table(change.partition)?.constraints.values() ?? [];
        if (
          [...constraints].some((c) => c.kind === 'check' && c.validated && columns.every((k) => c.columns.includes(k)))
        )
          return;
        context.report({
          messageId: 'default',
          data: { table: quoteQName(change.table), partition: quoteQName(change.partition) },
        });
      },
    };
  },
});
