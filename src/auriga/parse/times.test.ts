import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseWallClock, toWallClock } from './times.ts';

const PARIS = 'Europe/Paris';
const instant = (cell: unknown, zone = PARIS) => {
  const result = parseWallClock(cell, zone);
  return result.ok ? result.instant : `${result.code}: ${result.reason}`;
};

describe('parseWallClock', () => {
  test('wall-clock time in the school zone, winter and summer', () => {
    assert.equal(instant('2021-12-15T08:30:00'), '2021-12-15T07:30:00.000Z');
    assert.equal(instant('2026-07-01T08:30:00'), '2026-07-01T06:30:00.000Z');
    assert.equal(instant('2026-07-01 08:30'), '2026-07-01T06:30:00.000Z');
    assert.equal(instant(' 2026-07-01T08:30:00.250 '), '2026-07-01T06:30:00.250Z');
    assert.equal(instant('2026-07-01T08:30:00', 'America/New_York'), '2026-07-01T12:30:00.000Z');
  });

  test('an offset or Z is taken as given', () => {
    assert.equal(instant('2026-07-01T08:30:00Z'), '2026-07-01T08:30:00.000Z');
    assert.equal(instant('2026-07-01T08:30:00+01:00'), '2026-07-01T07:30:00.000Z');
    assert.equal(instant('2026-07-01T08:30:00-0230'), '2026-07-01T11:00:00.000Z');
    assert.equal(instant('2026-07-01T08:30:00+05'), '2026-07-01T03:30:00.000Z');
  });

  test('spring forward in Paris (2026-03-29): 02:30 does not exist', () => {
    const gap = parseWallClock('2026-03-29T02:30:00', PARIS);
    assert.equal(gap.ok, false);
    assert.equal(gap.ok ? '' : gap.code, 'nonexistent_time');
    assert.match(gap.ok ? '' : gap.reason, /does not exist in Europe\/Paris/);
    assert.equal(instant('2026-03-29T01:59:00'), '2026-03-29T00:59:00.000Z');
    assert.equal(instant('2026-03-29T03:00:00'), '2026-03-29T01:00:00.000Z');
  });

  test('fall back in Paris (2026-10-25): 02:30 happens twice, the first is taken', () => {
    assert.equal(instant('2026-10-25T02:30:00'), '2026-10-25T00:30:00.000Z');
    assert.equal(instant('2026-10-25T01:59:00'), '2026-10-24T23:59:00.000Z');
    assert.equal(instant('2026-10-25T03:00:00'), '2026-10-25T02:00:00.000Z');
    // The second 02:30 can still be written with its offset.
    assert.equal(instant('2026-10-25T02:30:00+01:00'), '2026-10-25T01:30:00.000Z');
  });

  test('what is not a date and time', () => {
    for (const cell of [
      '2021-02-30T08:30:00',
      '2021-12-15',
      '15/12/2021 08:30',
      '2021-12-15T25:00:00',
      'tomorrow',
      '',
      null,
      42,
      {},
    ]) {
      const result = parseWallClock(cell, PARIS);
      assert.equal(result.ok ? 'ok' : result.code, 'bad_time', String(cell));
    }
  });

  const zones = fc.constantFrom(
    'Europe/Paris',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Asia/Kolkata',
    'UTC',
  );
  const seconds = fc
    .integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2060, 0, 1) / 1000 })
    .map((s) => s * 1000);

  test('property: wall clock → instant → wall clock is the identity; the instant is the first with that wall clock', () => {
    fc.assert(
      fc.property(seconds, zones, (epochMs, zone) => {
        const wall = toWallClock(epochMs, zone);
        const back = parseWallClock(wall, zone);
        assert.ok(back.ok, `${wall} in ${zone}`);
        assert.equal(toWallClock(back.epochMs, zone), wall);
        // Either the same instant or, in a repeated hour, an earlier occurrence.
        assert.ok(back.epochMs <= epochMs);
        if (back.epochMs < epochMs) assert.ok(epochMs - back.epochMs <= 2 * 3600_000);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: an ISO instant with Z parses to itself', () => {
    fc.assert(
      fc.property(seconds, zones, (epochMs, zone) => {
        const iso = new Date(epochMs).toISOString();
        const back = parseWallClock(iso, zone);
        assert.deepEqual(back, { ok: true, instant: iso, epochMs });
      }),
    );
  });

  test('property: no input throws', () => {
    const digits = fc.stringMatching(
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?$/,
    );
    fc.assert(
      fc.property(fc.oneof(digits, fc.string(), fc.anything()), zones, (cell, zone) => {
        const result = parseWallClock(cell, zone);
        if (result.ok) assert.equal(new Date(result.epochMs).toISOString(), result.instant);
      }),
      { numRuns: 3000 },
    );
  });
});
