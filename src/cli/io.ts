import type { AppError } from '../errors/app-error.ts';

/** What a command may touch of the outside world; tests hand in their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: AbortSignal;
}

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Exit codes, documented in the README. */
export const EXIT = Object.freeze({
  ok: 0,
  /** The run finished but some items failed. */
  partlyFailed: 1,
  /** The run failed as a whole (a system unreachable, the store locked…). */
  failed: 2,
  /** The configuration or the command line is wrong: a person must fix it. */
  config: 3,
  /** The run finished but held deletions back (mass-change guard) until a person confirms. */
  deletionsHeld: 4,
});

/** A failure as every `--json` command prints it: `{ ok: false, error: errorJson(e) }`. */
export function errorJson(error: Pick<AppError, 'code' | 'message' | 'hint'>) {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}
