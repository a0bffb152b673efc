import { defineRule, lockTimeoutMs } from '../src/lint/rule.js';

/** A duration in milliseconds as a user writes one: 5s, 1500ms, 2min. */
function shown(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}min`;
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export default defineRule({
  meta: {
    id: 'lock-timeout-too-long',
    category: 'blocks-traffic',
    severity: 'error',
    description:
      'A lock_timeout longer than the configured bound (`maxLockTimeout`, 5s by default) lets a queued lock stall traffic that long',
    messages: {
      default: {
        message:
          'lock_timeout is set to {{value}}, longer than {{limit}}: a statement queued for a lock on a busy table holds up every query behind it for up to {{value}}',
        help: 'Set lock_timeout to {{limit}} or less and retry on timeout (`pgphase run` does both), or raise `maxLockTimeout` in the config',
      },
    },
  },
  kinds: ['set'],
  create(context) {
    return {
      change(change) {
        if (change.name !== 'lock_timeout') return;
        const ms = lockTimeoutMs(change.value);
        if (ms !== undefined && Math.round(ms) > context.maxLockTimeout)
          context.report({
            messageId: 'default',
            data: { value: shown(Math.round(ms)), limit: shown(context.maxLockTimeout) },
          });
      },
    };
  },
});
