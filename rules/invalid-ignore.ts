import { defineRule } from '../src/lint/rule.js';

// Reported by the engine while reading directives; this module carries its metadata.
export default defineRule({
  meta: {
    id: 'invalid-ignore',
    category: 'robustness',
    severity: 'error',
    description: 'An ignore comment without a reason, or naming an unknown rule (it does not apply)',
    messages: {
      default: {
        message: 'This ignore comment {{problem}}, so it does not apply',
        help: 'Write `-- pgphase-ignore <rule-id>: <why this is safe>` with rule ids from `pgphase rules`',
      },
    },
  },
  create: () => ({}),
});
