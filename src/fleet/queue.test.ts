import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nextRun } from '../schedule/next-run.ts';
import { occurrencesAround } from '../schedule/windows.ts';

/** The producer computes window occurrences once per zone and schedule: the same answer as nextRun alone. */
test('nextRun with shared occurrences answers as nextRun computing them', () => {
  const windows = [
    { from: '11:00', to: '13:00' },
    { from: '18:00', to: '21:00' },
  ];
  fc.assert(
    fc.property(
      fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
      fc.constantFrom('Europe/Paris', 'UTC', 'America/Montreal', 'Pacific/Noumea'),
      fc.string({ minLength: 1 }),
      fc.option(fc.integer({ min: 0, max: 5 * 24 * 3600_000 }), { nil: undefined }),
      (now, timeZone, school, ago) => {
        const input = {
          now,
          timeZone,
          windows,
          school,
          lastRunAt: ago === undefined ? undefined : new Date(now.getTime() - ago),
        };
        const shared = nextRun({
          ...input,
          occurrences: occurrencesAround(now, timeZone, windows),
        });
        assert.deepEqual(shared, nextRun(input));
      },
    ),
    { numRuns: 300 },
  );
});
