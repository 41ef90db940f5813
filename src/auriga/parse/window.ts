import { Temporal } from 'temporal-polyfill';
import type { SyncWindow } from '../../domain/types.ts';

/**
 * The sliding window of a run (docs/rules.md §2): interventions whose
 * Start lies in `[today 00:00, today + windowDays 00:00)` in the school's
 * zone. Days are calendar days of that zone, so a window across a
 * daylight-saving change is 23 or 25 hours longer or shorter, never shifted.
 * A day that starts at 01:00 (zones that change at midnight) starts then.
 */
export function computeWindow(now: Date, timeZone: string, windowDays: number): SyncWindow {
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate();
  const end = today.add({ days: windowDays });
  return Object.freeze({
    from: startOfDay(today, timeZone),
    to: startOfDay(end, timeZone),
    timeZone,
    firstDay: today.toString(),
    lastDay: end.subtract({ days: 1 }).toString(),
  });
}

function startOfDay(day: Temporal.PlainDate, timeZone: string): string {
  return new Date(day.toZonedDateTime(timeZone).epochMilliseconds).toISOString();
}

/** Whether an instant (epoch milliseconds) lies in the window, start included, end excluded. */
export function inWindow(window: SyncWindow, epochMs: number): boolean {
  return epochMs >= Date.parse(window.from) && epochMs < Date.parse(window.to);
}
