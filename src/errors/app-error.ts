/**
 * The one base error of the project. Every error we throw carries a stable
 * string `code` that tests, exit codes and reports rely on, a message a school
 * admin can act on, and the upstream error as `cause`.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** A setting is missing or wrong: retrying will not help, a person must fix the configuration. */
export class ConfigError extends AppError {
  override name = 'ConfigError' as const;
}

/** A remote system could not be reached or answered with trouble; a later retry may succeed. */
export class TransientError extends AppError {
  override name = 'TransientError' as const;
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/**
 * The reason a stop carries (an AbortSignal's reason): a person or the
 * service asked the process to stop. `signal` names it, so that a command
 * exits 130 after SIGINT and 143 after SIGTERM, as shells expect.
 */
export class StopRequested extends AppError {
  override name = 'StopRequested' as const;
  readonly signal: 'SIGINT' | 'SIGTERM' | undefined;

  constructor(signal?: 'SIGINT' | 'SIGTERM', message?: string) {
    super('stop.requested', message ?? `Stopped${signal ? ` by ${signal}` : ''}.`);
    this.signal = signal;
  }
}

/** The exit code of a process stopped by `signal` (128 + its number). */
export function exitCodeOfSignal(signal: string | undefined): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 130;
}
