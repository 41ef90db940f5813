import type { Config } from '../config/schema.ts';
import type { RetryPolicy } from '../http/retry.ts';
import type { Store } from '../store/index.ts';

export interface DoctorDeps {
  readonly fetch?: typeof fetch;
  /** The clock that places the sync window. @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Backoff for network trouble and 5xx. A doctor should answer quickly: one
   * retry rides out a blip, and a lasting outage is itself the answer.
   * @default DOCTOR_RETRY
   */
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /** Opens the store as a sync would. @default openStore from src/store */
  readonly openStore?: (config: Config['store']) => Promise<Store>;
}

export const DOCTOR_RETRY: Partial<RetryPolicy> = Object.freeze({
  retries: 1,
  baseDelayMs: 300,
  maxDelayMs: 2_000,
});
