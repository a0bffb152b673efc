import { columnTypeVisitor, defineRule, TYPED_COLUMN_KINDS } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'ban-char',
    category: 'style',
    severity: 'warning',
    description: 'char(n) pads values with spaces and compares them in surprising ways',
    messages: {
      default: {
        message:
          'Column {{column}} is {{type}}: values are blank-padded to the length, and trailing spaces are ignored in comparisons but not everywhere else',
        help: 'Use text (with a CHECK on the length if needed)',
      },
    },
  },
  kinds: TYPED_COLUMN_KINDS,
  create: (context) => columnTypeVisitor(context, (type) => type.name === 'bpchar'),
});
