import { Temporal } from 'temporal-polyfill';
import { ConfigError } from '../errors/app-error.ts';

/** A daily run window in the school's local wall-clock time, as configured (`options.schedule`). */
export interface DailyWindow {
  /** `HH:MM`, local time. */
  readonly from: string;
  /** `HH:MM`, local time, after `from` on the same day. */
  readonly to: string;
}

/** One day's occurrence of a daily window, resolved to instants. */
export interface WindowOccurrence {
  /** The local calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly from: string;
  readonly to: string;
  /** The instant the window opens. */
  readonly start: Date;
  /** The instant the window closes (not included). */
  readonly end: Date;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function parseClock(text: string, what: string): Temporal.PlainTime {
  const match = CLOCK.exec(text);
  if (match === null) {
    throw new ConfigError(
      'config.schedule_invalid',
      `The schedule window ${what} "${text}" is not a time HH:MM: write it like 11:00 in options.schedule.`,
    );
  }
  return new Temporal.PlainTime(Number(match[1]), Number(match[2]));
}

/**
 * A local wall-clock time on a local date, as an instant. Daylight saving
 * makes some local times ambiguous and others nonexistent; we resolve both
 * with Temporal's `compatible` disambiguation (the behaviour of `Date` and
 * of iCalendar): a time skipped by the spring-forward gap moves later by the
 * gap's length (02:30 on 2026-03-29 in Paris is 03:30 CEST), and a time that
 * occurs twice at the autumn fall-back takes its first, earlier occurrence.
 * Both bounds of a window move the same way, so its start never falls after its end.
 */
function localInstant(date: Temporal.PlainDate, time: Temporal.PlainTime, timeZone: string): Date {
  const zoned = date.toPlainDateTime(time).toZonedDateTime(timeZone, {
    disambiguation: 'compatible',
  });
  return new Date(zoned.epochMilliseconds);
}

/** The occurrence of `window` on the local `date` (`YYYY-MM-DD`) in `timeZone`. */
export function windowOccurrence(
  date: string | Temporal.PlainDate,
  window: DailyWindow,
  timeZone: string,
): WindowOccurrence {
  const day = typeof date === 'string' ? Temporal.PlainDate.from(date) : date;
  const from = parseClock(window.from, 'start');
  const to = parseClock(window.to, 'end');
  if (Temporal.PlainTime.compare(from, to) >= 0) {
    throw new ConfigError(
      'config.schedule_invalid',
      `The schedule window ${window.from}–${window.to} does not end after it starts: in options.schedule, "to" must be later than "from" on the same day.`,
    );
  }
  return Object.freeze({
    date: day.toString(),
    from: window.from,
    to: window.to,
    start: localInstant(day, from, timeZone),
    end: localInstant(day, to, timeZone),
  });
}

/** The school's local calendar date at `instant`. */
export function localDate(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate();
}

/**
 * Every window occurrence on the local dates from `daysBefore` days before
 * the local date of `around` to `daysAfter` days after, sorted by start.
 */
export function occurrencesAround(
  around: Date,
  timeZone: string,
  windows: readonly DailyWindow[],
  daysBefore = 2,
  daysAfter = 2,
): WindowOccurrence[] {
  const today = localDate(around, timeZone);
  const occurrences: WindowOccurrence[] = [];
  for (let offset = -daysBefore; offset <= daysAfter; offset++) {
    const day = today.add({ days: offset });
    for (const window of windows) occurrences.push(windowOccurrence(day, window, timeZone));
  }
  return occurrences.sort((a, b) => a.start.getTime() - b.start.getTime());
}
