import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { VirtualClock } from '../../test/helpers/virtual-clock.ts';
import { createScheduler, type ScheduledSchool } from './scheduler.ts';
import type { DailyWindow } from './windows.ts';

const WINDOWS: readonly DailyWindow[] = [
  { from: '11:00', to: '13:00' },
  { from: '18:00', to: '21:00' },
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every scheduler loop is idle once a few turns of the event loop have passed. */
const settle = async () => {
  await flush();
  await flush();
};

function local(date: string, time: string, zone: string): Date {
  const zoned = Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone);
  return new Date(zoned.epochMilliseconds);
}

function localOf(instant: Date, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(zone)
    .toPlainDateTime()
    .toString({ smallestUnit: 'minute' });
}

/** Which window a local `YYYY-MM-DDTHH:MM` falls in, as `date from`, or `outside`. */
function windowKey(localTime: string): string {
  const [date, time = ''] = localTime.split('T');
  const window = WINDOWS.find((w) => time >= w.from && time < w.to);
  return window === undefined ? `outside ${localTime}` : `${date} ${window.from}`;
}

/** A store that remembers when each school's last run started, as the real one does. */
function memoryStore(initial: Record<string, Date | undefined>) {
  const last = new Map(Object.entries(initial));
  return {
    lastRunAt: async (school: string) => last.get(school),
    record: (school: string, at: Date) => last.set(school, at),
  };
}

describe('createScheduler', () => {
  test('over three simulated days, each school runs once per window, never overlapping', async () => {
    const schools: ScheduledSchool[] = [
      { school: 'paris-school', timeZone: 'Europe/Paris', windows: WINDOWS },
      { school: 'nyc-school', timeZone: 'America/New_York', windows: WINDOWS },
    ];
    // Over the Paris spring-forward night; both ran in their last evening window.
    const start = new Date('2026-03-27T22:00:00Z');
    const clock = new VirtualClock(start);
    const store = memoryStore({
      'paris-school': local('2026-03-27', '19:00', 'Europe/Paris'),
      'nyc-school': local('2026-03-27', '14:00', 'America/New_York'),
    });
    const runs: { school: string; at: Date }[] = [];
    const active = new Map<string, number>();
    let maxActive = 0;
    const scheduler = createScheduler({
      schools,
      clock,
      store,
      async run(school, signal) {
        const at = clock.now();
        store.record(school, at);
        runs.push({ school, at });
        active.set(school, (active.get(school) ?? 0) + 1);
        maxActive = Math.max(maxActive, active.get(school) ?? 0);
        await clock.sleep(20 * MINUTE, signal); // a run takes time
        active.set(school, (active.get(school) ?? 0) - 1);
      },
    });
    scheduler.start();
    await clock.runUntil(new Date(start.getTime() + 3 * DAY), settle);
    await scheduler.stop({ graceMs: 1000 });

    assert.equal(maxActive, 1);
    for (const { school, timeZone } of schools) {
      const keys = runs
        .filter((r) => r.school === school)
        .map((r) => windowKey(localOf(r.at, timeZone)));
      assert.equal(keys.length, 6, `${school}: two runs a day for three days`);
      assert.equal(new Set(keys).size, 6, `${school}: one run per window`);
      for (const key of keys) assert.doesNotMatch(key, /outside/);
    }
  });

  test('a run longer than the gap to the next window is followed by one catch-up, not overlap', async () => {
    const zone = 'Europe/Paris';
    const start = local('2026-06-01', '10:00', zone);
    const clock = new VirtualClock(start);
    const store = memoryStore({ slow: local('2026-05-31', '19:00', zone) });
    let active = 0;
    let maxActive = 0;
    const runs: Date[] = [];
    const scheduler = createScheduler({
      schools: [{ school: 'slow', timeZone: zone, windows: WINDOWS }],
      clock,
      store,
      async run(school, signal) {
        const at = clock.now();
        store.record(school, at);
        runs.push(at);
        active++;
        maxActive = Math.max(maxActive, active);
        // The first run lasts 10 hours: it swallows the evening window.
        await clock.sleep(runs.length === 1 ? 10 * HOUR : MINUTE, signal);
        active--;
      },
    });
    scheduler.start();
    await clock.runUntil(local('2026-06-02', '00:00', zone), settle);
    await scheduler.stop({ graceMs: 1000 });
    assert.equal(maxActive, 1);
    // 11:xx scheduled run, then at ~21:xx the morning run's end: the evening
    // window began after it started and was not served, so one catch-up.
    assert.equal(runs.length, 2);
    const [first, second] = runs.map((at) => localOf(at, zone));
    assert.match(first ?? '', /^2026-06-01T1[12]:/);
    assert.match(second ?? '', /^2026-06-01T2[12]:/);
  });

  test('a failing run is logged and does not make the school run in a loop', async () => {
    const zone = 'Europe/Paris';
    const start = local('2026-06-01', '00:00', zone);
    const clock = new VirtualClock(start);
    let attempts = 0;
    const errors: object[] = [];
    const scheduler = createScheduler({
      schools: [{ school: 'broken', timeZone: zone, windows: WINDOWS }],
      clock,
      // The store never sees the run: it fails before starting one.
      store: { lastRunAt: async () => undefined },
      logger: { info() {}, warn() {}, error: (details) => errors.push(details) },
      async run() {
        attempts++;
        throw new Error('Auriga unreachable');
      },
    });
    scheduler.start();
    await clock.runUntil(new Date(start.getTime() + 2 * DAY), settle);
    await scheduler.stop({ graceMs: 1000 });
    // One catch-up at start (never ran), then two windows a day for two days.
    assert.equal(attempts, 5);
    assert.equal(errors.length, 5);
  });

  test('stop() during a run waits for it, then takes no new run', async () => {
    const clock = new VirtualClock(new Date('2026-06-01T08:00:00Z'));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    let finished = 0;
    let seenSignal: AbortSignal | undefined;
    const scheduler = createScheduler({
      schools: [{ school: 'a', timeZone: 'Europe/Paris', windows: WINDOWS }],
      clock,
      async run(_school, signal) {
        started++;
        seenSignal = signal;
        await gate;
        finished++;
      },
    });
    scheduler.start();
    await clock.runUntil(new Date('2026-06-01T08:01:00Z'), settle);
    assert.equal(started, 1, 'never ran: it runs at once');
    assert.deepEqual(scheduler.running(), ['a']);

    let stopped = false;
    const stopping = scheduler.stop({ graceMs: 60_000 }).then(() => {
      stopped = true;
    });
    await flush();
    await flush();
    assert.equal(stopped, false, 'stop waits for the run in progress');
    release();
    await stopping;
    assert.equal(finished, 1);
    assert.equal(seenSignal?.aborted, false, 'a run that ends within the grace is not aborted');

    await clock.runUntil(new Date('2026-06-04T00:00:00Z'), settle);
    assert.equal(started, 1, 'no run after stop');
  });

  test('stop() aborts a run that outlasts the grace period', async () => {
    const clock = new VirtualClock(new Date('2026-06-01T08:00:00Z'));
    let seenSignal: AbortSignal | undefined;
    const scheduler = createScheduler({
      schools: [{ school: 'a', timeZone: 'Europe/Paris', windows: WINDOWS }],
      clock,
      run(_school, signal) {
        seenSignal = signal;
        return new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      },
    });
    scheduler.start();
    await clock.runUntil(new Date('2026-06-01T08:01:00Z'), settle);
    await scheduler.stop({ graceMs: 10 });
    assert.equal(seenSignal?.aborted, true);
    assert.equal((seenSignal?.reason as { code?: string } | undefined)?.code, 'scheduler.stopped');
    assert.deepEqual(scheduler.running(), []);
  });

  test('a school with a broken schedule is logged and the others still run', async () => {
    const clock = new VirtualClock(new Date('2026-06-01T08:00:00Z'));
    const ran: string[] = [];
    const errors: unknown[] = [];
    const scheduler = createScheduler({
      schools: [
        { school: 'bad', timeZone: 'Europe/Paris', windows: [] },
        { school: 'good', timeZone: 'Europe/Paris', windows: WINDOWS },
      ],
      clock,
      logger: { info() {}, warn() {}, error: (details) => errors.push(details) },
      async run(school) {
        ran.push(school);
      },
    });
    scheduler.start();
    await clock.runUntil(new Date('2026-06-01T12:00:00Z'), settle);
    await scheduler.stop({ graceMs: 1000 });
    assert.ok(ran.includes('good'));
    assert.ok(!ran.includes('bad'));
    assert.equal(errors.length, 1);
  });
});
