/**
 * The order of Auriga ids: numeric ids first, in numeric order (leading zeros
 * do not count; `7` and `007`, equal in value, go by text), then the others
 * as text. A total order, so sorts and "lowest id" choices are the same
 * whatever order the rows came in.
 */
export function compareIds(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric) {
    const x = a.replace(LEADING_ZEROS, '');
    const y = b.replace(LEADING_ZEROS, '');
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC = /^\d+$/;
const LEADING_ZEROS = /^0+(?=\d)/;
