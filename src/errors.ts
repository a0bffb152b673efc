// Typed errors with a stable code. Misuse and bad input throw these; the CLI turns
// them into one line on stderr and an exit code (2 for input errors).

export type ErrorCode = 'usage' | 'config' | 'input' | 'plan' | 'database';

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
    return 2;
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
