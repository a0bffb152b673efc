import { defineRule } from '../src/lint/rule.js';

// Reported by the engine when a file does not parse; this module carries its metadata.
export default defineRule({
  meta: {
    id: 'syntax-error',
    category: 'robustness',
    severity: 'error',
    description: 'The file does not parse as PostgreSQL SQL',
    messages: {
      default: {
        message: 'Syntax error: {{message}}',
        help: 'Fix the SQL at this position; PostgreSQL would reject the migration the same way',
      },
    },
  },
  create: () => ({}),
});
