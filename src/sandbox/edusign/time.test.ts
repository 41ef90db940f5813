import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDay, parseInstant, utcDayOf } from './time.ts';

/** The same instant written in the wall-clock time of a UTC offset (minutes). */
function atOffset(date: Date, offsetMinutes: number): string {
  const wall = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${sign}${hh}:${mm}`;
}

const instants = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2100-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('parseInstant', () => {
  test('an instant written at any offset reads back as the same UTC instant', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offset) => {
        assert.equal(parseInstant(atOffset(date, offset))?.toISOString(), date.toISOString());
      }),
    );
  });

  test('a time without offset is read as UTC', () => {
    fc.assert(
      fc.property(instants, (date) => {
        const text = date.toISOString().slice(0, 19);
        assert.equal(parseInstant(text)?.toISOString(), `${text}.000Z`);
      }),
    );
  });

  test('examples', () => {
    assert.equal(
      parseInstant('2026-12-01T09:30:00+01:00')?.toISOString(),
      '2026-12-01T08:30:00.000Z',
    );
    assert.equal(parseInstant('2026-12-01T09:30-0230')?.toISOString(), '2026-12-01T12:00:00.000Z');
    assert.equal(parseInstant('2026-12-01T08:30:00.5Z')?.toISOString(), '2026-12-01T08:30:00.500Z');
    assert.equal(parseInstant('2026-12-01')?.toISOString(), '2026-12-01T00:00:00.000Z');
  });

  test('refuses what is not an ISO 8601 instant', () => {
    for (const text of [
      '',
      'tomorrow',
      '2026-02-30T08:00:00Z',
      '2026-13-01T08:00:00Z',
      '2026-12-01T24:00:00Z',
      '2026-12-01T08:60:00Z',
      '01/12/2026 08:30',
      '2026-12-01T08:30:00+25:00',
    ])
      assert.equal(parseInstant(text), undefined, text);
  });
});

describe('parseDay and utcDayOf', () => {
  test('a day is its UTC midnight; an instant falls on its UTC day', () => {
    assert.equal(parseDay('2026-12-01'), Date.UTC(2026, 11, 1));
    assert.equal(parseDay('2026-02-29'), undefined);
    assert.equal(parseDay('2026-12-01T00:00:00Z'), undefined);
    assert.equal(utcDayOf('2026-12-01T23:59:59.999Z'), Date.UTC(2026, 11, 1));
    assert.equal(utcDayOf('2026-12-02T00:00:00.000Z'), Date.UTC(2026, 11, 2));
  });
});
