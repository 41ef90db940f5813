import { AppError } from '../errors/app-error.ts';

/** An answer the console gives on purpose, with its HTTP status. */
export class WebError extends AppError {
  override name = 'WebError' as const;
  readonly status: number;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(code, message);
    this.status = status;
    this.details = details;
  }
}

/**
 * The one answer for a school that does not exist and for a school the
 * account may not see: the same status, code and words, so that a response
 * never tells another school's name apart from a typo.
 */
export const schoolNotFound = (): WebError =>
  new WebError(404, 'console.not_found', 'No such school, or not one of yours.');

export const notFound = (what: string): WebError =>
  new WebError(404, 'console.not_found', `No such ${what}.`);

export const forbidden = (): WebError =>
  new WebError(403, 'console.forbidden', 'Your role may read this school but not change it.');
