import { columnTypeVisitor, defineRule, TYPED_COLUMN_KINDS } from '../src/lint/rule.js';

export default defineRule({
  meta: {
    id: 'prefer-text',
    category: 'style',
    severity: 'off',
    description:
      'varchar(n): the length limit is easy to outgrow and shrinking it later is unsafe; a CHECK is easier to change',
    messages: {
      default: {
        message:
          'Column {{column}} is {{type}}: raising the limit is cheap, but lowering it rewrites the table and can fail on existing rows',
        help: 'Use text, with a `CHECK (length(col) <= n)` added NOT VALID if a limit is needed',
      },
    },
  },
  kinds: TYPED_COLUMN_KINDS,
  create: (context) => columnTypeVisitor(context, (type) => type.name === 'varchar' && type.mods.length > 0),
});
