/**
 * At most `size` runs at once, the others waiting in order. Measured: a large
 * school's run holds about 170 MB; without a cap, 2,000 schools catching up
 * after an outage would all start together.
 */
export class Slots {
  readonly #size: number;
  #used = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError(`the number of runs at once must be a whole number from 1, got ${size}`);
    this.#size = size;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Wait for a free slot; false when `signal` aborted first (no slot is then taken). */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#used < this.#size) {
      this.#used += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', cancel);
        this.#used += 1;
        resolve(true);
      };
      const cancel = () => {
        const at = this.#waiting.indexOf(grant);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve(false);
      };
      this.#waiting.push(grant);
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  release(): void {
    this.#used -= 1;
    this.#waiting.shift()?.();
  }
}
