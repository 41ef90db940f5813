/**
 * The order of Auriga ids: numeric ids first, in numeric order (leading zeros
 * do not count; `7` and `007`, equal in value, go by text), then the others
 * as text. A total order, so sorts and "lowest id" choices are the same
 * whatever order the rows came in.
 *
 * Read a character at a time, with no pattern and no copy: it is called
 * for every row of a favorite and in every sort of a plan.
 */
export function compareIds(a: string, b: string): number {
  const aNumeric = isNumeric(a);
  const bNumeric = isNumeric(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric) {
    // The digits from the first significant one (the last digit when all are zeros).
    const x = significantFrom(a);
    const y = significantFrom(b);
    const length = a.length - x;
    if (length !== b.length - y) return length - (b.length - y);
    for (let i = 0; i < length; i++) {
      const d = a.charCodeAt(x + i) - b.charCodeAt(y + i);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One or more ASCII digits, nothing else. */
function isNumeric(id: string): boolean {
  if (id.length === 0) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

function significantFrom(digits: string): number {
  let at = 0;
  while (at < digits.length - 1 && digits.charCodeAt(at) === ZERO) at += 1;
  return at;
}

const ZERO = 48;
const NINE = 57;
