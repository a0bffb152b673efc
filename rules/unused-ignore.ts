import { defineRule } from '../src/lint/rule.js';

// Reported by the engine after a file is linted; this module carries its metadata.
export default defineRule({
  meta: {
    id: 'unused-ignore',
    category: 'robustness',
    severity: 'warning',
    description: 'An ignore comment that suppressed nothing',
    messages: {
      default: {
        message: 'This ignore comment suppresses no "{{rule}}" finding',
        help: 'Remove the comment, or move it to the line before the statement it is meant for',
      },
    },
  },
  create: () => ({}),
});
