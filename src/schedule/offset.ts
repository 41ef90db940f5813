import { createHash } from 'node:crypto';

/**
 * Share of a window a school's offset may use. The rest is a margin so that a
 * run starts well inside its window even if it is slow to begin, and has time
 * left in the window for a retry (with 11:00–13:00, the last school starts at 12:36).
 */
export const OFFSET_SHARE = 0.8;

/** A number in [0, 1) fixed by the school's name: the same school always gets the same one. */
export function schoolFraction(school: string): number {
  const digest = createHash('sha256').update(school, 'utf8').digest();
  // 48 bits are exact in a double and plenty to spread thousands of schools.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Where inside a window of `windowMs` the school runs, in whole seconds from
 * the window's start: a stable hash of its name spread over the first
 * `OFFSET_SHARE` of the window, so that a fleet's schools do not all call
 * Auriga and Edusign at the same minute.
 */
export function scheduleOffsetMs(school: string, windowMs: number): number {
  if (!(windowMs > 0)) return 0;
  return Math.floor((schoolFraction(school) * OFFSET_SHARE * windowMs) / 1000) * 1000;
}
