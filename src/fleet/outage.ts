/**
 * What a fleet process says while its database is unreachable: one warning
 * when it goes, a reminder each `remindMs` with the errors counted, one line
 * when it is back. pg-boss's loops, the schedule and the presence each fail
 * several times a second during an outage: an operator reads three lines,
 * not hundreds.
 */
export interface OutageLog {
  /** A database call failed (`source` says which loop). */
  failed(source: string, error: unknown): void;
  /** A database call succeeded: the outage, if any, is over. */
  ok(): void;
}

export interface OutageLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export function outageLog(
  logger: OutageLogger,
  options: { readonly now?: () => number; readonly remindMs?: number } = {},
): OutageLog {
  const now = options.now ?? Date.now;
  const remindMs = options.remindMs ?? 60_000;
  let since: number | undefined;
  let errors = 0;
  let reminded = 0;
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  return {
    failed(source, error) {
      const at = now();
      errors += 1;
      if (since === undefined) {
        since = at;
        reminded = at;
        logger.warn(
          { source, err: message(error) },
          'the database cannot be reached: retrying with backoff; further errors are counted until it is back',
        );
        return;
      }
      if (at - reminded >= remindMs) {
        reminded = at;
        logger.warn(
          {
            source,
            err: message(error),
            errors,
            downSeconds: Math.round((at - since) / 1000),
          },
          'the database still cannot be reached: retrying',
        );
      }
    },
    ok() {
      if (since === undefined) return;
      logger.info(
        { errors, downSeconds: Math.round((now() - since) / 1000) },
        'the database is reachable again',
      );
      since = undefined;
      errors = 0;
    },
  };
}
