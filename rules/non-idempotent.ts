import { defineRule } from '../src/lint/rule.js';
import type { ChangeOf } from '../src/sql/changes.js';

/** Objects CREATE OR REPLACE can re-run (triggers from PostgreSQL 14, aggregates from 12), and those IF NOT EXISTS can. */
function createGuard(
  change: ChangeOf<'create-object' | 'create-table-as'>,
  pgVersion: number,
): { clause: string; present: boolean } | undefined {
  const orReplace = { clause: 'OR REPLACE', present: change.kind === 'create-object' && change.orReplace };
  const ifNotExists = { clause: 'IF NOT EXISTS', present: change.ifNotExists };
  if (change.kind === 'create-table-as') return ifNotExists;
  switch (change.objectType) {
    case 'view':
    case 'function':
    case 'procedure':
    case 'rule':
      return orReplace;
    case 'trigger':
      return pgVersion >= 14 && !change.constraintTrigger ? orReplace : undefined;
    case 'aggregate':
      return pgVersion >= 12 ? orReplace : undefined;
    case 'sequence':
    case 'extension':
    case 'schema':
    case 'materialized view':
    case 'collation':
      return ifNotExists;
    default:
      // CREATE TYPE, CREATE DOMAIN, CREATE POLICY have no guard to add
      return undefined;
  }
}

/** The changes a clause can make safe to run again. */
const GUARDED = [
  'create-table',
  'create-index',
  'add-column',
  'drop-table',
  'drop-index',
  'drop-column',
  'drop-constraint',
  'drop-object',
  'create-object',
  'create-table-as',
] as const;

/** The clause that would make the change safe to run again, when it lacks one. */
function missingGuard(change: ChangeOf<(typeof GUARDED)[number]>, pgVersion: number): string | undefined {
  switch (change.kind) {
    case 'create-table':
    case 'create-index':
    case 'add-column':
      return change.ifNotExists ? undefined : 'IF NOT EXISTS';
    case 'drop-table':
    case 'drop-index':
    case 'drop-column':
    case 'drop-constraint':
    case 'drop-object':
      return change.ifExists ? undefined : 'IF EXISTS';
    case 'create-object':
    case 'create-table-as': {
      const guard = createGuard(change, pgVersion);
      return guard && !guard.present ? guard.clause : undefined;
    }
  }
}

export default defineRule({
  meta: {
    id: 'non-idempotent',
    category: 'robustness',
    severity: 'off',
    description: 'A statement outside a transaction that cannot be re-run after a partial failure (no IF [NOT] EXISTS)',
    messages: {
      default: {
        message:
          'This statement runs outside a transaction and fails when the migration is re-run after a partial failure: it lacks {{guard}}',
        help: 'Add {{guard}} so a re-run after a failure picks up where it stopped',
      },
    },
  },
  kinds: GUARDED,
  create(context) {
    let reported: number;
    return {
      file() {
        reported = -1;
      },
      change(change) {
        if (context.inTransaction || reported === context.statement.index) return;
        const guard = missingGuard(change, context.pgVersion);
        if (!guard) return;
        reported = context.statement.index;
        context.report({ messageId: 'default', data: { guard } });
      },
    };
  },
});
