// Typed errors, each failure its own class with a stable `code` and the fields a caller needs.
// Misuse and bad input throw these; the CLI turns them into one line on stderr and an exit
// code: 2 for input errors, 1 when the database's or the plan's state stops the work.

export type ErrorCode =
  | 'usage'
  | 'config'
  | 'input'
  | 'plan'
  | 'plan-refused'
  | 'database'
  | 'connection'
  | 'runner-busy'
  | 'phase-failed'
  | 'phase-order'
  | 'check-failed'
  | 'lock-timeout';

/** The codes of failures that are the state of the database or the plan, not the input: exit 1. */
const STATE_CODES: ReadonlySet<ErrorCode> = new Set([
  'plan-refused',
  'runner-busy',
  'phase-failed',
  'phase-order',
  'check-failed',
  'lock-timeout',
]);

/** A message made one line: the line breaks it quotes (a file name, a token of SQL) written as \n and \r. */
export function oneLine(message: string): string {
  return message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export class PgphaseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(oneLine(message));
    this.name = 'PgphaseError';
  }

  /** The CLI exit code for this error. */
  get exitCode(): number {
    return STATE_CODES.has(this.code) ? 1 : 2;
  }
}

/** A wrong flag or argument. */
export class UsageError extends PgphaseError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** A configuration file that cannot be read or does not match the schema. */
export class ConfigError extends PgphaseError {
  constructor(message: string) {
    super('config', message);
  }
}

/** An input that cannot be used: a missing or unreadable file, a directory with no SQL. */
export class InputError extends PgphaseError {
  constructor(message: string) {
    super('input', message);
  }
}

/** A plan that cannot be read or used as it is (input error, exit 2). */
export class PlanError extends PgphaseError {
  constructor(message: string) {
    super('plan', message);
  }
}

/** A migration `pgphase plan` refuses to plan, with the reasons (exit 1). */
export class PlanRefused extends PgphaseError {
  constructor(message: string) {
    super('plan-refused', message);
  }
}

/** No connection to the database; `target` is its URL with the password hidden. */
export class ConnectionError extends PgphaseError {
  constructor(
    message: string,
    readonly target: string,
  ) {
    super('connection', message);
  }
}

/** The database answers, but not as pgphase needs: a catalog or the phase log it cannot read, a server it cannot start. */
export class DatabaseError extends PgphaseError {
  constructor(message: string) {
    super('database', message);
  }
}

/** Another runner holds the runner lock on the database; `holder` describes its session (undefined: it has just let go). */
export class RunnerBusy extends PgphaseError {
  constructor(
    message: string,
    readonly holder: string | undefined,
  ) {
    super('runner-busy', message);
  }
}

/** A phase that failed or was refused; the subclasses below are the refusals a caller may act on. */
export class PhaseError extends PgphaseError {
  constructor(message: string, code: ErrorCode = 'phase-failed') {
    super(code, message);
  }
}

/** A phase run before an earlier phase of its plan (`missing`) is applied. */
export class PhaseOrderError extends PhaseError {
  constructor(
    message: string,
    readonly planId: string,
    readonly phase: string,
    readonly missing: string,
  ) {
    super(message, 'phase-order');
  }
}

/** A check that guards the start of a phase failed (`rows`: it still returns rows, it is too early; `error`: its SQL failed). */
export class CheckFailed extends PhaseError {
  constructor(
    message: string,
    readonly planId: string,
    readonly phase: string,
    readonly sql: string,
    readonly reason: 'rows' | 'error',
  ) {
    super(message, 'check-failed');
  }
}

/** A step that could not take its lock within lock_timeout, in any of its `attempts`. */
export class LockTimeoutExhausted extends PhaseError {
  constructor(
    message: string,
    readonly step: string,
    readonly attempts: number,
  ) {
    super(message, 'lock-timeout');
  }
}
