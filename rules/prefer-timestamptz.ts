import { columnTypeVisitor, defineRule, TYPED_COLUMN_KINDS } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'prefer-timestamptz',
    category: 'style',
    severity: 'warning',
    description:
      'timestamp without time zone: values lose their zone, and moving to timestamptz later rewrites the table',
    messages: {
      default: {
        message:
          "Column {{column}} is timestamp without time zone: the instant it means depends on the writer's zone, and converting it later rewrites the table",
        help: 'Use timestamptz',
      },
    },
  },
  kinds: TYPED_COLUMN_KINDS,
  create: (context) => columnTypeVisitor(context, (type) => type.name === 'timestamp' && !type.schema),
});
