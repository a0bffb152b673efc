import { defineRule } from '../src/lint/rule.js';
import type { Change } from '../src/sql/changes.js';

type Node = Record<string, any>;

/**
 * The clause that makes a CREATE statement safe to run again, as the parser records it.
 * Statements that have none in the target version (CREATE TYPE, CREATE DOMAIN, CREATE POLICY …)
 * are left alone: there is nothing to add.
 */
function createGuard(node: Node, pgVersion: number): { clause: string; present: boolean } | undefined {
  const [type, s] = Object.entries(node)[0] as [string, Node];
  const orReplace = { clause: 'OR REPLACE', present: s.replace === true };
  const ifNotExists = { clause: 'IF NOT EXISTS', present: s.if_not_exists === true };
  switch (type) {
    case 'ViewStmt':
    case 'CreateFunctionStmt':
    case 'RuleStmt':
      return orReplace;
    case 'CreateTrigStmt':
      // CREATE OR REPLACE TRIGGER came in PostgreSQL 14, and never for constraint triggers
      return pgVersion >= 14 && s.isconstraint !== true ? orReplace : undefined;
    case 'CreateSeqStmt':
    case 'CreateExtensionStmt':
    case 'CreateSchemaStmt':
    case 'CreateTableAsStmt':
      return ifNotExists;
    case 'DefineStmt':
      if (s.kind === 'OBJECT_COLLATION') return ifNotExists;
      // CREATE OR REPLACE AGGREGATE came in PostgreSQL 12
      if (s.kind === 'OBJECT_AGGREGATE' && pgVersion >= 12) return orReplace;
      return undefined;
    default:
      return undefined;
  }
}

/** The clause that would make the change safe to run again, when it lacks one. */
function missingGuard(change: Change, node: Node, pgVersion: number): string | undefined {
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
      const guard = createGuard(node, pgVersion);
      return guard && !guard.present ? guard.clause : undefined;
    }
    default:
      return undefined;
  }
}

export default defineRule({
  meta: {
    id: 'non-idempotent',
    category: 'robustness',
    severity: 'off',
    description: 'A statement outside a transaction that cannot be re-run after a partial failure (no IF [NOT] EXISTS)',
    messages: {
      default: 'This statement runs outside a transaction and fails when the migration is re-run after a partial failure: it lacks {{guard}}',
    },
    help: 'Add {{guard}} so a re-run after a failure picks up where it stopped',
  },
  create(context) {
    let reported = -1;
    return {
      change(change) {
        if (context.inTransaction || reported === context.statement.index) return;
        const guard = missingGuard(change, context.statement.node, context.pgVersion);
        if (!guard) return;
        reported = context.statement.index;
        context.report({ messageId: 'default', data: { guard } });
      },
    };
  },
});
