/**
 * Auriga ids in a stable order: numeric ids numerically (`9` before `10`),
 * others as text after. Plans, reports and the one-email rule use it, so
 * "the lowest id" means the same thing everywhere.
 */
export function compareIds(a: string, b: string): number {
  const numeric = NUMERIC.test(a) && NUMERIC.test(b);
  if (numeric && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC = /^\d+$/;
