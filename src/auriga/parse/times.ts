import { Temporal } from 'temporal-polyfill';
import { showCell } from './cells.ts';

/**
 * `Start` and `End` of a favorite: wall-clock times in the school's zone
 * (`2021-12-15T08:30:00`), or instants when an offset or `Z` is given
 * (auriga-api.md, Times). Converted to UTC instants with the zone's rules:
 *
 * - a wall-clock time that does not exist (the hour skipped on a
 *   spring-forward night) is an error: guessing would move a class by an hour;
 * - an ambiguous one (the hour repeated on an autumn night) takes its first
 *   occurrence, as people writing a timetable mean the first one.
 *
 * Never throws.
 */

export type TimeResolution =
  | {
      readonly ok: true;
      /** UTC ISO instant, as `Date#toISOString()` writes it. */
      readonly instant: string;
      readonly epochMs: number;
    }
  | { readonly ok: false; readonly code: 'bad_time' | 'nonexistent_time'; readonly reason: string };

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseWallClock(cell: unknown, timeZone: string): TimeResolution {
  if (cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '')) {
    return { ok: false, code: 'bad_time', reason: 'it is empty' };
  }
  if (typeof cell !== 'string') {
    return { ok: false, code: 'bad_time', reason: `${showCell(cell)} is not a date and time` };
  }
  const text = cell.trim();
  const match = PATTERN.exec(text);
  if (!match) {
    return {
      ok: false,
      code: 'bad_time',
      reason: `"${shorten(text)}" is not a date and time such as 2021-12-15T08:30:00`,
    };
  }
  const [, year, month, day, hour, minute, second = '0', fraction = '', offset] = match;
  let wall: Temporal.PlainDateTime;
  try {
    const nanos = fraction.padEnd(9, '0');
    wall = Temporal.PlainDateTime.from(
      {
        year: Number(year),
        month: Number(month),
        day: Number(day),
        hour: Number(hour),
        minute: Number(minute),
        second: Number(second),
        millisecond: Number(nanos.slice(0, 3)),
        microsecond: Number(nanos.slice(3, 6)),
        nanosecond: Number(nanos.slice(6, 9)),
      },
      { overflow: 'reject' },
    );
  } catch {
    return {
      ok: false,
      code: 'bad_time',
      reason: `"${shorten(text)}" is not a valid date and time`,
    };
  }
  try {
    let epochMs: number;
    if (offset !== undefined) {
      epochMs = Temporal.Instant.from(
        `${wall.toString()}${normaliseOffset(offset)}`,
      ).epochMilliseconds;
    } else {
      const compatible = wall.toZonedDateTime(timeZone, { disambiguation: 'compatible' });
      if (!compatible.toPlainDateTime().equals(wall)) {
        return {
          ok: false,
          code: 'nonexistent_time',
          reason: `${text} does not exist in ${timeZone} (the clocks skip that hour that night)`,
        };
      }
      epochMs = wall.toZonedDateTime(timeZone, { disambiguation: 'earlier' }).epochMilliseconds;
    }
    return { ok: true, instant: new Date(epochMs).toISOString(), epochMs };
  } catch {
    return { ok: false, code: 'bad_time', reason: `"${shorten(text)}" is out of range` };
  }
}

function normaliseOffset(offset: string): string {
  if (offset === 'Z' || offset === 'z') return 'Z';
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** The wall-clock time of an instant in a zone, `YYYY-MM-DDTHH:MM:SS` (for messages and tests). */
export function toWallClock(epochMs: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(epochMs)
    .toZonedDateTimeISO(timeZone)
    .toPlainDateTime()
    .toString({ smallestUnit: 'second' });
}

const shorten = (text: string): string => showCell(text, 40);
