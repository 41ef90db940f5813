import type { Clock } from '../../src/schedule/scheduler.ts';

/**
 * Virtual time for the scheduler's tests: `sleep` registers a timer, and
 * `runUntil` jumps to the earliest one once the caller says every loop is
 * idle. Days pass in milliseconds of real time.
 */
export class VirtualClock implements Clock {
  #now: number;
  #timers: { at: number; resolve: () => void }[] = [];

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  get sleepers(): number {
    return this.#timers.length;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = {
        at: this.#now + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /**
   * Wake sleepers in order until `end`: before each step, `idle()` resolves
   * once no run is in progress. A timer due exactly at `end` wakes only when
   * `inclusive`.
   */
  async runUntil(end: Date, idle: () => Promise<void>, inclusive = false): Promise<void> {
    for (;;) {
      await idle();
      this.#timers.sort((a, b) => a.at - b.at);
      const timer = this.#timers[0];
      if (
        timer === undefined ||
        timer.at > end.getTime() ||
        (!inclusive && timer.at === end.getTime())
      ) {
        this.#now = Math.max(this.#now, end.getTime());
        return;
      }
      this.#timers.shift();
      this.#now = Math.max(this.#now, timer.at);
      timer.resolve();
    }
  }

  /** Jump to `to` at once, waking every sleeper due by then. */
  jumpTo(to: Date): void {
    this.#now = Math.max(this.#now, to.getTime());
    const due = this.#timers.filter((t) => t.at <= this.#now);
    this.#timers = this.#timers.filter((t) => t.at > this.#now);
    for (const timer of due) timer.resolve();
  }
}
