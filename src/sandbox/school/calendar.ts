/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`) and wall-clock times.
 * The school's times are wall-clock in its zone, so no zone is involved:
 * UTC is used only as a proleptic calendar.
 */

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a local date; throws a RangeError for anything else. */
export function dayNumber(date: string): number {
  const match = LOCAL_DATE.exec(date);
  if (!match) throw new RangeError(`expected a local date YYYY-MM-DD, got "${date}"`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`"${date}" is not a calendar date`);
  }
  return ms / DAY_MS;
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

export const isWeekday = (day: number): boolean => {
  const w = weekday(day);
  return w !== 0 && w !== 6;
};

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `HH:mm` for minutes since midnight. */
export function clock(minutes: number): string {
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** `YYYY-MM-DDTHH:mm:ss` for a day and minutes since midnight (may be negative or past 24 h). */
export function localDateTime(day: number, minutes: number): string {
  const dayShift = Math.floor(minutes / 1440);
  const rest = minutes - dayShift * 1440;
  return `${dateOfDay(day + dayShift)}T${clock(rest)}:00`;
}
