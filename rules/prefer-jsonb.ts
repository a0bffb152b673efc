import { columnTypeVisitor, defineRule, TYPED_COLUMN_KINDS } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'prefer-jsonb',
    category: 'style',
    severity: 'warning',
    description: 'json instead of jsonb: no equality operator, no indexing, reparsed on every access',
    messages: {
      default: {
        message:
          'Column {{column}} is json: it has no equality operator (DISTINCT, GROUP BY and UNION fail), cannot be indexed, and is reparsed on every access',
        help: 'Use jsonb',
      },
    },
  },
  kinds: TYPED_COLUMN_KINDS,
  create: (context) => columnTypeVisitor(context, (type) => type.name === 'json' && !type.schema),
});
