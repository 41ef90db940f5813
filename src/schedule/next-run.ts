import { AppError, ConfigError } from '../errors/app-error.ts';
import { scheduleOffsetMs } from './offset.ts';
import { type DailyWindow, occurrencesAround, type WindowOccurrence } from './windows.ts';

export interface NextRunInput {
  readonly now: Date;
  /** The school's IANA zone (`options.timeZone`); windows are wall-clock times in it. */
  readonly timeZone: string;
  /** `options.schedule`. */
  readonly windows: readonly DailyWindow[];
  /** The school's name: fixes its offset inside each window. */
  readonly school: string;
  /** When the school's last run (scheduled or by hand, not a dry run) started; undefined if never. */
  readonly lastRunAt?: Date | undefined;
  /**
   * `occurrencesAround(now, timeZone, windows)`, when the caller has it: a
   * fleet's producer computes it once for the many schools sharing a zone
   * and a schedule (Temporal makes it the costly part). @default computed
   */
  readonly occurrences?: readonly WindowOccurrence[];
}

export interface NextRun {
  /** When to start the run; equal to `now` when it is due at once. */
  readonly at: Date;
  /** The window this run serves. */
  readonly window: WindowOccurrence;
  /** True when the run makes up for a window whose slot passed without a run. */
  readonly catchUp: boolean;
}

/** The instant in `occurrence` at which `school` runs. */
export function slotOf(occurrence: WindowOccurrence, school: string): Date {
  const windowMs = occurrence.end.getTime() - occurrence.start.getTime();
  return new Date(occurrence.start.getTime() + scheduleOffsetMs(school, windowMs));
}

/**
 * When a school runs next. The rule, exactly:
 *
 * 1. A window occurrence is *served* when a run started at or after its
 *    start (`lastRunAt >= start`). A run by hand inside the window counts:
 *    a school runs once per window.
 * 2. Let W be the most recent occurrence that has begun (`start <= now`).
 *    If W is not served:
 *    - when its slot (start + the school's offset) is still ahead, the next
 *      run is at the slot (`catchUp: false`);
 *    - otherwise the slot passed without a run (process down, machine
 *      asleep, or a run that did not start), so the next run is `now`
 *      (`catchUp: true`), whether W is still open or long closed.
 *    Only W is caught up, never the windows before it: after a three-day
 *    outage the school runs once, not six times.
 * 3. Otherwise (W served, or no window has begun) the next run is the slot
 *    of the first occurrence that starts after `now` (`catchUp: false`).
 *
 * A school that has never run (`lastRunAt` undefined) therefore runs at once,
 * unless the window it is in is still open with its slot ahead: then at the
 * slot, as every school of that window.
 * Offsets are a share of each occurrence's real length, so on a
 * daylight-saving night a window the clock change shortens still holds its slot.
 */
export function nextRun(input: NextRunInput): NextRun {
  const { now, timeZone, windows, school, lastRunAt } = input;
  if (windows.length === 0) {
    throw new ConfigError(
      'config.schedule_empty',
      'options.schedule lists no window: give at least one, e.g. { from: "11:00", to: "13:00" }.',
    );
  }
  const nowMs = now.getTime();
  // Every window recurs daily, so two days either side always holds the last
  // begun occurrence and the next one, daylight saving included.
  const occurrences = input.occurrences ?? occurrencesAround(now, timeZone, windows);
  const begun = occurrences.filter((o) => o.start.getTime() <= nowMs);
  const latest = begun.at(-1);
  if (latest !== undefined) {
    const served = lastRunAt !== undefined && lastRunAt.getTime() >= latest.start.getTime();
    if (!served) {
      const slot = slotOf(latest, school);
      if (slot.getTime() > nowMs)
        return Object.freeze({ at: slot, window: latest, catchUp: false });
      return Object.freeze({ at: new Date(nowMs), window: latest, catchUp: true });
    }
  }
  const upcoming = occurrences.find((o) => o.start.getTime() > nowMs);
  if (upcoming === undefined)
    throw new AppError('schedule.internal', 'No schedule window within two days: this is a bug.');
  return Object.freeze({ at: slotOf(upcoming, school), window: upcoming, catchUp: false });
}
