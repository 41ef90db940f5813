import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { computeWindow, inWindow } from './window.ts';

const HOUR = 3600_000;

describe('computeWindow', () => {
  test('14 days from today 00:00 in Paris, in winter', () => {
    const window = computeWindow(new Date('2026-01-10T15:00:00Z'), 'Europe/Paris', 14);
    assert.deepEqual(window, {
      from: '2026-01-09T23:00:00.000Z',
      to: '2026-01-23T23:00:00.000Z',
      timeZone: 'Europe/Paris',
      firstDay: '2026-01-10',
      lastDay: '2026-01-23',
    });
  });

  test('today is the school’s today: 00:30 in Paris is still the previous day in UTC', () => {
    const window = computeWindow(new Date('2026-01-09T23:30:00Z'), 'Europe/Paris', 1);
    assert.equal(window.firstDay, '2026-01-10');
    assert.equal(window.from, '2026-01-09T23:00:00.000Z');
  });

  test('across the last Sunday of March (2026-03-29): the window is an hour shorter', () => {
    const window = computeWindow(new Date('2026-03-20T09:00:00Z'), 'Europe/Paris', 14);
    assert.equal(window.from, '2026-03-19T23:00:00.000Z');
    assert.equal(window.to, '2026-04-02T22:00:00.000Z');
    assert.equal(Date.parse(window.to) - Date.parse(window.from), 14 * 24 * HOUR - HOUR);
    const sunday = computeWindow(new Date('2026-03-29T12:00:00Z'), 'Europe/Paris', 1);
    assert.deepEqual(
      [sunday.from, sunday.to],
      ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    );
  });

  test('across the last Sunday of October (2026-10-25): the window is an hour longer', () => {
    const window = computeWindow(new Date('2026-10-20T09:00:00Z'), 'Europe/Paris', 14);
    assert.equal(window.from, '2026-10-19T22:00:00.000Z');
    assert.equal(window.to, '2026-11-02T23:00:00.000Z');
    const sunday = computeWindow(new Date('2026-10-25T12:00:00Z'), 'Europe/Paris', 1);
    assert.deepEqual(
      [sunday.from, sunday.to],
      ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    );
  });

  test('a day that starts at 01:00 (Santiago, 2026-09-06) starts then', () => {
    const window = computeWindow(new Date('2026-09-06T12:00:00Z'), 'America/Santiago', 1);
    assert.equal(window.from, '2026-09-06T04:00:00.000Z');
  });

  test('inWindow: start included, end excluded', () => {
    const window = computeWindow(new Date('2026-01-10T15:00:00Z'), 'Europe/Paris', 14);
    assert.ok(inWindow(window, Date.parse(window.from)));
    assert.ok(!inWindow(window, Date.parse(window.from) - 1));
    assert.ok(inWindow(window, Date.parse(window.to) - 1));
    assert.ok(!inWindow(window, Date.parse(window.to)));
  });

  test('property: the window holds now, is windowDays days ± 1 hour, and starts at local midnight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) }),
        fc.integer({ min: 1, max: 90 }),
        fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland'),
        (nowMs, days, zone) => {
          const window = computeWindow(new Date(nowMs), zone, days);
          assert.ok(inWindow(window, nowMs));
          const length = Date.parse(window.to) - Date.parse(window.from);
          assert.ok(Math.abs(length - days * 24 * HOUR) <= HOUR);
          const local = new Intl.DateTimeFormat('en-GB', {
            timeZone: zone,
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }).format(new Date(window.from));
          assert.equal(local, '00:00');
        },
      ),
      { numRuns: 500 },
    );
  });
});
